"""`install-desktop` writes a desktop entry desktop-file-validate accepts, the *.ddp.json MIME type that
update-mime-database turns into a glob, AppStream metainfo appstreamcli accepts, and the icons, all under
$XDG_DATA_HOME (a temporary folder here); `--uninstall` removes them. Also `example --out`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dagster_designer_qt.core.fileformat import project_to_dict
from dagster_designer_qt.services import desktop_install
from dagster_designer_qt.services.project_store import load_project
from dagster_designer_qt.ui.resources import resources_root

APP = desktop_install.APP_ID


def _cli(*args: str, data: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, XDG_DATA_HOME=str(data))
    return subprocess.run([sys.executable, "-m", "dagster_designer_qt", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=120)


def _require(tool: str) -> str:
    exe = shutil.which(tool)
    if exe is None:
        pytest.skip(f"{tool} is not installed (apt package "
                    f"{'desktop-file-utils' if tool == 'desktop-file-validate' else 'appstream'}); "
                    ".ci/run installs it where apt-get exists")
    return exe


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """One real `dagster-designer install-desktop` run into a temporary data folder with a space in it."""
    data = tmp_path_factory.mktemp("xdg") / "my data"
    proc = _cli("install-desktop", data=data, cwd=data.parent)
    assert proc.returncode == 0, proc.stderr
    return data, proc


def test_install_desktop_writes_a_valid_desktop_entry_pointing_at_this_installation(installed):
    data, proc = installed
    desktop = data / "applications" / f"{APP}.desktop"
    assert str(desktop) in proc.stdout
    result = subprocess.run([_require("desktop-file-validate"), str(desktop)], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr
    entry = dict(line.split("=", 1) for line in desktop.read_text().splitlines() if "=" in line)
    assert entry["MimeType"] == f"{desktop_install.MIME_TYPE};"
    assert entry["Icon"] == "dagster-designer"
    command = desktop_install.launch_command()
    assert entry["Exec"] == " ".join(desktop_install.exec_quote(a) for a in command) + " %f"
    assert Path(command[0]).is_absolute() and Path(command[0]).exists()


def test_install_desktop_registers_the_ddp_json_mime_type(installed):
    data, _ = installed
    xml = data / "mime" / "packages" / "dagster-designer.xml"
    assert 'pattern="*.ddp.json"' in xml.read_text()
    if shutil.which("update-mime-database") is None:
        pytest.skip("update-mime-database is not installed (apt package shared-mime-info)")
    # update-mime-database ran: the compiled glob list maps *.ddp.json to our type.
    globs = (data / "mime" / "globs2").read_text()
    assert f":{desktop_install.MIME_TYPE}:*.ddp.json" in globs, globs


def test_install_desktop_writes_valid_appstream_metainfo_and_icons(installed):
    data, _ = installed
    metainfo = data / "metainfo" / f"{APP}.metainfo.xml"
    assert f"<launchable type=\"desktop-id\">{APP}.desktop</launchable>" in metainfo.read_text()
    for size in desktop_install.ICON_SIZES:
        assert (data / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "dagster-designer.png").is_file()
    assert (data / "icons" / "hicolor" / "scalable" / "apps" / "dagster-designer.svg").is_file()
    result = subprocess.run([_require("appstreamcli"), "validate", "--no-net", str(metainfo)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_uninstall_removes_what_install_wrote(tmp_path):
    data = tmp_path / "data"
    assert _cli("install-desktop", data=data, cwd=tmp_path).returncode == 0
    written = {p for p in data.rglob("*") if p.is_file()}
    proc = _cli("install-desktop", "--uninstall", data=data, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    left = {p for p in data.rglob("*") if p.is_file()}
    ours = [p for p in left if p.name.startswith(("dagster-designer", APP))]
    assert not ours, ours
    n_files = 4 + len(desktop_install.ICON_SIZES)  # desktop entry, MIME XML, metainfo, SVG + PNG icons
    assert f"removed {n_files} files" in proc.stdout, proc.stdout
    assert len(written - left) >= n_files
    assert not (data / "mime" / "application" / "x-dagster-designer-project.xml").exists()
    again = _cli("install-desktop", "--uninstall", data=data, cwd=tmp_path)
    assert again.returncode == 0 and "nothing to remove" in again.stdout


@pytest.mark.parametrize("arg, expected", [
    ("/usr/bin/dagster-designer", "/usr/bin/dagster-designer"),
    ("/home/me/My Apps/dagster-designer", '"/home/me/My Apps/dagster-designer"'),
    ('/opt/a"b$c', '"/opt/a\\\\"b\\\\$c"'),
    ("/opt/100%", "/opt/100%%"),
])
def test_exec_arguments_are_quoted_as_the_desktop_entry_spec_says(arg, expected):
    assert desktop_install.exec_quote(arg) == expected


def test_a_path_with_spaces_in_exec_still_validates(tmp_path):
    template = (resources_root() / "desktop" / f"{APP}.desktop").read_text()
    desktop = tmp_path / f"{APP}.desktop"
    desktop.write_text(desktop_install.desktop_entry(template, ["/home/me/My Apps/dd", "-m", "x"]))
    result = subprocess.run([_require("desktop-file-validate"), str(desktop)], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout


def test_example_writes_a_loadable_copy_and_refuses_to_overwrite(tmp_path):
    out = tmp_path / "analytics.ddp.json"
    proc = _cli("example", "--out", str(out), data=tmp_path, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    project = load_project(out)
    assert project.graph.node_count() >= 3
    shipped = load_project(resources_root() / "examples" / "analytics.ddp.json")
    copy, original = project_to_dict(project), project_to_dict(shipped)
    copy.pop("updated_at"), original.pop("updated_at")  # saving stamps the copy
    assert copy == original
    again = _cli("example", "--out", str(out), data=tmp_path, cwd=tmp_path)
    assert again.returncode == 1 and "already exists" in again.stderr


def test_help_mentions_the_example_command(tmp_path):
    proc = _cli("--help", data=tmp_path, cwd=tmp_path)
    assert "dagster-designer example --out analytics.ddp.json" in proc.stdout
    assert "install-desktop" in proc.stdout
