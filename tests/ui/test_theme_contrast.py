"""Issue 14 point 15: both themes meet WCAG AA. The ratios are computed from the palette the app applies
(text 4.5:1, input borders 3:1), and the dark window really uses those colours."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QPalette

from dagster_designer_qt.ui.theme import FIELD_COLORS, _palette, contrast_ratio, field_stylesheet

R = QPalette.ColorRole
TEXT_PAIRS = [(R.WindowText, R.Window), (R.Text, R.Base), (R.Text, R.AlternateBase), (R.ButtonText, R.Button),
              (R.PlaceholderText, R.Base), (R.ToolTipText, R.ToolTipBase), (R.HighlightedText, R.Highlight)]


def test_contrast_ratio_matches_wcag_reference_values():
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#FFFFFF", "#FFFFFF") == pytest.approx(1.0)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_text_and_borders_meet_wcag_aa(theme):
    palette = _palette(theme == "dark")
    color = lambda role: palette.color(role).name()  # noqa: E731
    for fg, bg in TEXT_PAIRS:
        assert contrast_ratio(color(fg), color(bg)) >= 4.5, (theme, fg, bg)
    fields = FIELD_COLORS[theme]
    for bg in (R.Base, R.Window, R.AlternateBase):
        for severity in ("error", "warning", "info"):
            assert contrast_ratio(fields[severity], color(bg)) >= 4.5, (theme, severity, bg)
        assert contrast_ratio(fields["input_border"], color(bg)) >= 3.0, (theme, "border", bg)
        assert contrast_ratio(fields["input_focus"], color(bg)) >= 3.0, (theme, "focus", bg)
    assert f"border: 1px solid {fields['input_border']}" in field_stylesheet(theme == "dark")


def test_the_dark_window_uses_the_readable_colours(real_window, qtbot):
    from PySide6.QtWidgets import QApplication

    window = real_window
    window.set_theme("dark")
    try:
        assert FIELD_COLORS["dark"]["input_border"] in QApplication.instance().styleSheet()
        node = window.document.add_node("dagster_dbt.DbtCloudComponent", 0, 0, label="Cloud")
        window.document.set_attributes(node, {"workspace": {"account_id": 1, "token": "literal"}})
        window.document.set_selection([node])
        row = window.property_panel.row("workspace", "token")
        qtbot.waitUntil(lambda: bool(row.problem_text()), timeout=60_000)
        assert FIELD_COLORS["dark"]["warning"] in row.problem.styleSheet() or \
            FIELD_COLORS["dark"]["error"] in row.problem.styleSheet()
    finally:
        window.set_theme("light")


def test_problem_glyphs_exist_in_the_fonts():
    """Glyphs in problem texts and tooltips must render (⛔ has no glyph in common Linux fonts)."""
    from pathlib import Path

    src = Path(__file__).resolve().parents[2] / "src" / "dagster_designer_qt"
    offenders = [p.name for p in src.rglob("*.py") if "⛔" in p.read_text(encoding="utf-8")]
    assert offenders == []


def test_spin_boxes_have_a_visible_frame_in_the_dark_theme(qtbot):
    """Fusion's spin box frame is nearly invisible on a dark window: the style draws it in the theme's
    input border colour (3:1 against the window), and the arrow buttons stay."""
    from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionSpinBox

    from dagster_designer_qt.core.schema import Field
    from dagster_designer_qt.ui.forms.base import FormContext
    from dagster_designer_qt.ui.forms.leaves import IntEditor
    from dagster_designer_qt.ui.theme import ThemeManager

    app = QApplication.instance()
    before_palette, before_sheet = app.palette(), app.styleSheet()
    theme = ThemeManager("dark")
    theme.set_choice("dark")
    try:
        editor = IntEditor(Field(name="retries", kind="integer"), FormContext())  # the form's spin box
        qtbot.addWidget(editor)
        box = editor.spin
        box.setParent(None)  # grabbed on its own
        box.resize(120, 28)
        qtbot.addWidget(box)
        box.show()
        qtbot.waitExposed(box)
        image = box.grab().toImage()
        edge = image.pixelColor(0, image.height() // 2)
        window = app.palette().color(QPalette.ColorRole.Window)
        assert edge.name().upper() == FIELD_COLORS["dark"]["input_border"].upper()
        assert contrast_ratio(edge, window) >= 3.0
        option = QStyleOptionSpinBox()
        option.initFrom(box)
        up = box.style().subControlRect(QStyle.ComplexControl.CC_SpinBox, option, QStyle.SubControl.SC_SpinBoxUp,
                                        box)
        assert up.width() > 0  # the arrow buttons are still there
    finally:
        theme.set_choice("light")
        app.setStyleSheet(before_sheet)
        app.setPalette(before_palette)
