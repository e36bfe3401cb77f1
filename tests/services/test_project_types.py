"""services.project_types and the helper's rows for them: a project's own component types, resolved the
way Dagster resolves them (``.module.Class`` relative to the defs file's folder), listed under the
absolute name with the written one as an alias; one that fails to import is an error row, not a crash."""

from __future__ import annotations

import sys
import textwrap

import pytest

from dagster_designer_qt.services.project_types import absolute_type, module_of_folder


@pytest.mark.parametrize("written, defs_file, expected", [
    (".component.Orders", "src/shop/defs/orders/defs.yaml", "shop.defs.orders.component.Orders"),
    (".component.Orders", "shop/defs/a/b/defs.yml", "shop.defs.a.b.component.Orders"),
    ("shop.components.Thing", "src/shop/defs/x/defs.yaml", "shop.components.Thing"),
    (".component.Orders", None, None),  # a new node has no folder yet
    (".component.Orders", "src/shop/defs/bad-name/defs.yaml", None),  # not a Python package path
    ("Orders", "src/shop/defs/x/defs.yaml", None),
])
def test_absolute_type(written, defs_file, expected):
    assert absolute_type(written, defs_file) == expected


def test_module_of_folder_drops_src():
    assert module_of_folder("src/shop/defs/orders/defs.yaml") == "shop.defs.orders"
    assert module_of_folder("defs.yaml") is None


def test_project_local_types_of_an_opened_project(tmp_path):
    from dagster_designer_qt.services.importer import import_project

    root = tmp_path / "shop"
    files = {
        "pyproject.toml": '[project]\nname = "shop"\n\n[tool.dg.project]\nroot_module = "shop"\n',
        "src/shop/defs/orders/defs.yaml": "type: .component.Orders\nattributes: {table: t}\n",
        "src/shop/defs/things/defs.yaml": "type: shop.components.Thing\n",
        "src/shop/defs/script/defs.yaml": "type: dagster.PythonScriptComponent\nattributes:\n"
                                          "  execution: {path: run.py}\n  assets: [{key: a}]\n",
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    from dagster_designer_qt.services.project_types import needs_project_code, project_local_types

    project = import_project(root).project
    assert project_local_types(project) == {".component.Orders": "shop.defs.orders.component.Orders",
                                            "shop.components.Thing": "shop.components.Thing"}
    assert needs_project_code(project)


def test_helper_rows_for_project_types(tmp_path, monkeypatch):
    from dagster_designer_qt.helper.dagster_helper import project_type_rows

    pkg = tmp_path / "i12_shop_pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "good.py").write_text(textwrap.dedent("""
        import dagster as dg

        class Orders(dg.Component, dg.Model, dg.Resolvable):
            table: str

            def build_defs(self, context):
                return dg.Definitions()
        """))
    (pkg / "broken.py").write_text("raise RuntimeError('no warehouse configured')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    rows = project_type_rows([[".good.Orders", "i12_shop_pkg.good.Orders"],
                              [".broken.X", "i12_shop_pkg.broken.X"]], [])
    good, broken = rows
    assert good["type"] == "i12_shop_pkg.good.Orders" and good["project_local"] and ".good.Orders" in good["aliases"]
    assert "table" in good["schema"]["properties"] and not good.get("error")
    assert broken["type"] == ".broken.X" and "no warehouse configured" in broken["error"]
    for name in ("i12_shop_pkg", "i12_shop_pkg.good", "i12_shop_pkg.broken"):
        sys.modules.pop(name, None)
