"""Light and dark themes: a QPalette for the widgets (Fusion style), a small stylesheet from
resources/themes, and the canvas colours. "system" follows the OS colour scheme and its changes."""

from __future__ import annotations

import functools

from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette

from dagster_designer_qt.ui import resources

THEMES = ("system", "light", "dark")
FUSION_PROPERTY = "dagsterDesignerFusion"  # true on a QApplication whose style is Fusion (see ThemeManager.apply)

# One colour per component category (same in both themes: they are mid-tone accents).
CATEGORY_COLORS = {
    "dagster": "#6E5CF6",
    "dbt": "#F2643D",
    "sling": "#0FA3A3",
    "fivetran": "#2F6FEB",
    "python": "#3C9A5F",
    "sql": "#C2830A",
}
FALLBACK_CATEGORY_COLORS = ("#8E6AC8", "#2E8FBF", "#B85C9E", "#5F8F2F", "#B0703A")
MISSING_COLOR = "#8A8F98"


def category_color(category: str) -> QColor:
    if category in CATEGORY_COLORS:
        return QColor(CATEGORY_COLORS[category])
    if not category:
        return QColor(MISSING_COLOR)
    index = sum(category.encode()) % len(FALLBACK_CATEGORY_COLORS)
    return QColor(FALLBACK_CATEGORY_COLORS[index])


def category_icon_name(category: str, icon: str = "") -> str:
    for name in (icon, category):
        if name and resources.has_icon(f"cat-{name}"):
            return f"cat-{name}"
    return "cat-custom"


@dataclass(frozen=True)
class CanvasColors:
    name: str
    background: str
    grid_minor: str
    grid_major: str
    node_fill: str
    node_border: str
    node_text: str
    node_subtext: str
    selection: str
    edge: str
    edge_selected: str
    port_fill: str
    port_border: str
    error: str
    warning: str
    missing: str
    overview_node: str
    toast_fill: str
    toast_text: str


LIGHT_CANVAS = CanvasColors(
    name="light", background="#F4F5F7", grid_minor="#E7E9ED", grid_major="#D9DCE2",
    node_fill="#FFFFFF", node_border="#C5CAD3", node_text="#1F2329", node_subtext="#6B7280",
    selection="#2F6FEB", edge="#7A8392", edge_selected="#2F6FEB", port_fill="#FFFFFF",
    port_border="#7D8696", error="#D93025", warning="#E09B00", missing="#B3261E",
    overview_node="#AEB5C2", toast_fill="#2B2F36", toast_text="#FFFFFF",
)
DARK_CANVAS = CanvasColors(
    name="dark", background="#1C1F24", grid_minor="#23272D", grid_major="#2C3138",
    node_fill="#2A2E35", node_border="#424852", node_text="#E8EAED", node_subtext="#9AA1AC",
    selection="#5B93FF", edge="#808998", edge_selected="#5B93FF", port_fill="#2A2E35",
    port_border="#98A0AD", error="#FF6B5E", warning="#F5B93A", missing="#FF8A80",
    overview_node="#5A616C", toast_fill="#E8EAED", toast_text="#1C1F24",
)


# Colours of form chrome and messages, per theme. Chosen for WCAG AA on the palette's backgrounds (text
# 4.5:1, borders 3:1 against Base and Window); tests/ui/test_theme_contrast.py computes the ratios.
FIELD_COLORS = {
    "light": {"input_border": "#7D8696", "input_focus": "#2F6FEB", "error": "#B3261E", "warning": "#8A5A00",
              "info": "#1F6FA8"},
    "dark": {"input_border": "#808998", "input_focus": "#7AA7FF", "error": "#FF7A6E", "warning": "#F5B93A",
             "info": "#7AA7FF"},
}


def is_dark_palette(palette: QPalette | None = None) -> bool:
    if palette is None:
        app = QGuiApplication.instance()
        if app is None:
            return False
        palette = app.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def message_color(severity: str = "error", palette: QPalette | None = None) -> str:
    """The readable colour of an error / warning / info message in the current theme."""
    colors = FIELD_COLORS["dark" if is_dark_palette(palette) else "light"]
    return colors.get(severity, colors["error"])


def field_stylesheet(dark: bool) -> str:
    """Visible borders on text inputs (Fusion's dark frames are nearly invisible). Spin boxes get theirs from
    the style (``_field_frame_style_class``): a stylesheet border would replace their arrow buttons with
    blank ones."""
    c = FIELD_COLORS["dark" if dark else "light"]
    return (
        "QLineEdit, QPlainTextEdit, QTextEdit {"
        f" border: 1px solid {c['input_border']}; border-radius: 3px; padding: 1px 3px; }}\n"
        "QLineEdit:focus, QPlainTextEdit:focus, QTextEdit:focus {"
        f" border: 1px solid {c['input_focus']}; }}\n"
        "QLineEdit:disabled { border-style: dotted; }\n"
    )


@functools.lru_cache(maxsize=1)
def _field_frame_style_class():
    """Fusion, with spin boxes framed in the theme's input border colour: Fusion's own spin box frame is
    nearly invisible on a dark window, and a stylesheet border would replace the arrow buttons with blank
    ones. (A class made on first use: this module is imported before any QApplication exists.) Given to the
    form's spin boxes only (``field_frame_style``): as the application's style it would make every complex
    control's painting a Python call, and its QStyle types would be created at every start (issue 13)."""
    from PySide6.QtGui import QPainter
    from PySide6.QtWidgets import QProxyStyle, QStyle

    class FieldFrameStyle(QProxyStyle):
        def drawComplexControl(self, control, option, painter, widget=None):  # noqa: N802 - Qt override
            super().drawComplexControl(control, option, painter, widget)
            if control != QStyle.ComplexControl.CC_SpinBox or not getattr(option, "frame", True):
                return
            colors = FIELD_COLORS["dark" if is_dark_palette(option.palette) else "light"]
            focus = bool(option.state & QStyle.StateFlag.State_HasFocus)
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            painter.setPen(QColor(colors["input_focus" if focus else "input_border"]))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(option.rect.adjusted(0, 0, -1, -1))
            painter.restore()

    return FieldFrameStyle


_FIELD_STYLE: dict = {}


def field_frame_style():
    """The style of the form's spin boxes (one per application, owned by it): Fusion with the theme's
    input border (``QWidget.setStyle``; an application style sheet still applies over it)."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if _FIELD_STYLE.get("app") is not app:
        style = _field_frame_style_class()("Fusion")
        style.setParent(app)
        _FIELD_STYLE.update(app=app, style=style)
    return _FIELD_STYLE["style"]


def contrast_ratio(a: str | QColor, b: str | QColor) -> float:
    """WCAG 2 contrast ratio of two colours (1.0 to 21.0)."""
    def luminance(color) -> float:
        c = QColor(color)
        channels = []
        for v in (c.redF(), c.greenF(), c.blueF()):
            channels.append(v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4)
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _palette(dark: bool) -> QPalette:
    p = QPalette()
    roles = QPalette.ColorRole
    if dark:
        colors = {
            roles.Window: "#25282D", roles.WindowText: "#E8EAED", roles.Base: "#1E2125",
            roles.AlternateBase: "#2A2E33", roles.ToolTipBase: "#2F333A", roles.ToolTipText: "#E8EAED",
            roles.PlaceholderText: "#868D98", roles.Text: "#E8EAED", roles.Button: "#2F333A",
            roles.ButtonText: "#E8EAED", roles.BrightText: "#FF6B5E", roles.Highlight: "#3D6FD9",
            roles.HighlightedText: "#FFFFFF", roles.Link: "#7AA7FF", roles.Light: "#3A3F47",
            roles.Midlight: "#33373E", roles.Mid: "#2B2F35", roles.Dark: "#15171A", roles.Shadow: "#0B0C0E",
        }
    else:
        colors = {
            roles.Window: "#F0F1F3", roles.WindowText: "#1F2329", roles.Base: "#FFFFFF",
            roles.AlternateBase: "#F5F6F8", roles.ToolTipBase: "#FFFFFF", roles.ToolTipText: "#1F2329",
            roles.PlaceholderText: "#6B7280", roles.Text: "#1F2329", roles.Button: "#F5F6F8",
            roles.ButtonText: "#1F2329", roles.BrightText: "#D93025", roles.Highlight: "#2F6FEB",
            roles.HighlightedText: "#FFFFFF", roles.Link: "#2F6FEB", roles.Light: "#FFFFFF",
            roles.Midlight: "#E9EBEE", roles.Mid: "#C9CDD3", roles.Dark: "#A3A9B2", roles.Shadow: "#6B7078",
        }
    for role, value in colors.items():
        p.setColor(role, QColor(value))
    disabled = QColor("#6B7078") if dark else QColor("#A3A9B2")
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return p


def system_prefers_dark() -> bool:
    app = QGuiApplication.instance()
    if app is None:
        return False
    scheme = app.styleHints().colorScheme()
    return scheme == Qt.ColorScheme.Dark


class ThemeManager(QObject):
    """Applies a theme to the application and tells the canvas its colours."""

    changed = Signal(object)  # CanvasColors

    def __init__(self, choice: str = "system", parent: QObject | None = None):
        super().__init__(parent)
        self._choice = choice if choice in THEMES else "system"
        self._colors = LIGHT_CANVAS
        app = QGuiApplication.instance()
        if app is not None:
            app.styleHints().colorSchemeChanged.connect(self._on_system_changed)

    @property
    def choice(self) -> str:
        return self._choice

    @property
    def colors(self) -> CanvasColors:
        return self._colors

    def is_dark(self) -> bool:
        return self._colors.name == "dark"

    def set_choice(self, choice: str) -> None:
        self._choice = choice if choice in THEMES else "system"
        self.apply()

    def _on_system_changed(self, *_args) -> None:
        if self._choice == "system":
            self.apply()

    def apply(self) -> None:
        from PySide6.QtWidgets import QApplication

        dark = self._choice == "dark" or (self._choice == "system" and system_prefers_dark())
        self._colors = DARK_CANVAS if dark else LIGHT_CANVAS
        app = QApplication.instance()
        if isinstance(app, QApplication):
            if not app.property(FUSION_PROPERTY):  # app._application makes it with Fusion; else set it here
                app.setStyle("Fusion")
                app.setProperty(FUSION_PROPERTY, True)
            app.setPalette(_palette(dark))
            app.setStyleSheet(resources.theme_stylesheet("dark" if dark else "light") + "\n" + field_stylesheet(dark))
        self.changed.emit(self._colors)

    def ui_icon(self, name: str):
        """A monochrome UI icon in the theme's text colour."""
        return resources.icon(name, "#D5D9DF" if self.is_dark() else "#3A404A")
