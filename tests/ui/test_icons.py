"""UI icons are drawn by Qt's SVG icon engine at the size they are shown in (issue 13: a start no longer
renders every icon at seven sizes); recoloured ones come from copies in the user's cache folder, written
once, and keep drawing when that folder is cleaned while the app runs."""

import pytest
from PySide6.QtCore import QSize

from dagster_designer_qt.ui import resources

RED = "#FF0000"


@pytest.fixture
def fresh_icons(qapp):
    resources.clear_icon_cache()
    yield
    resources.clear_icon_cache()


def _red_pixels(icon, size: int) -> int:
    image = icon.pixmap(QSize(size, size)).toImage()
    assert image.width() == size  # drawn at that size, not scaled from another
    return sum(1 for x in range(size) for y in range(size)
               if image.pixelColor(x, y).alpha() > 200 and image.pixelColor(x, y).red() > 200
               and image.pixelColor(x, y).green() < 60)


def test_a_recoloured_icon_draws_in_its_colour_at_any_size(fresh_icons, _isolated_dirs):
    icon = resources.icon("save", RED)
    assert not icon.isNull() and icon.availableSizes() == []  # nothing rendered before it is shown
    assert _red_pixels(icon, 40) > 40 and _red_pixels(icon, 13) > 10
    copies = list((_isolated_dirs / "cache" / "dagster-designer" / "icons").iterdir())
    assert [p.name.startswith("save-ff0000-") and p.suffix == ".svg" for p in copies] == [True]


def test_the_cache_copy_is_written_once_and_a_cleaned_cache_does_not_blank_icons(fresh_icons, _isolated_dirs):
    folder = _isolated_dirs / "cache" / "dagster-designer" / "icons"
    resources.icon("undo", RED)
    (copy,) = folder.iterdir()
    stamp = copy.stat().st_mtime_ns
    resources.clear_icon_cache()
    icon = resources.icon("undo", RED)  # a later start: the copy is read, not written again
    assert copy.stat().st_mtime_ns == stamp and len(list(folder.iterdir())) == 1
    copy.unlink()
    folder.rmdir()
    assert _red_pixels(icon, 33) > 20  # a size never drawn before, after its file is gone


def test_an_unwritable_cache_folder_still_gives_drawn_icons(fresh_icons, _isolated_dirs, monkeypatch):
    blocker = _isolated_dirs / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    icon = resources.icon("redo", RED)
    assert len(icon.availableSizes()) == len(resources.ICON_SIZES)  # rendered up front instead
    assert _red_pixels(icon, 24) > 20
    assert resources.icon("cat-dbt").availableSizes() == []  # not recoloured: the resource file itself


def test_an_unknown_icon_is_empty(fresh_icons):
    assert resources.icon("no-such-icon", RED).isNull() and resources.icon("no-such-icon").isNull()
