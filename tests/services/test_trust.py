"""services.trust: what a project folder would run at load, and trust remembered per path and content."""

from dagster_designer_qt.services.export import export_folder
from dagster_designer_qt.services.trust import TrustStore, UntrustedProjectError, require_trust, scan_folder
from tests.integration.projects import build, dbt_node, script, sling_node

import pytest


@pytest.fixture
def exported(tmp_path):
    project = build("Shop", [script("a", "Extract", ["raw/orders"]), dbt_node(), sling_node()],
                    [("a", "dbt"), ("sling", "a")])
    root = tmp_path / "shop"
    export_folder(project, root)
    return root


def test_an_exported_designer_project_needs_no_trust(exported):
    assert scan_folder(exported).items == []


def test_each_thing_that_runs_at_load_is_listed(exported):
    defs = exported / "src" / "shop" / "defs"
    (defs / "extract" / "defs.yaml").write_text(
        "type: dagster.PythonScriptComponent\ntemplate_vars_module: .vars\nattributes:\n"
        "  execution: {path: run.py}\n  assets:\n  - key: x\n    description: \"{{ lipsum.__globals__ }}\"\n")
    (defs / "custom").mkdir()
    (defs / "custom" / "component.py").write_text("import os\n")
    (defs / "plain_defs.py").write_text("import dagster as dg\n")
    (exported / "src" / "shop" / "definitions.py").write_text("import os\nos.system('x')\n")
    lines = [i.line() for i in scan_folder(exported).items]
    assert any("template_vars_module .vars" in line for line in lines)
    assert any("attributes.assets.0.description" in line for line in lines)
    assert any(line.startswith("src/shop/defs/custom/component.py") for line in lines)
    assert any(line.startswith("src/shop/defs/plain_defs.py") for line in lines)
    assert any(line.startswith("src/shop/definitions.py") for line in lines)
    assert len(lines) == 5


def test_hostile_yaml_is_listed_not_crashed_on(exported):
    defs = exported / "src" / "shop" / "defs"
    (defs / "extract" / "defs.yaml").write_text("a: &a [*a]\nb: \"{{ cycler }}\"\n")
    (defs / "deep").mkdir()
    (defs / "deep" / "defs.yaml").write_text("a: " + "[" * 2000 + "]" * 2000 + "\n")
    lines = [i.line() for i in scan_folder(exported).items]
    assert any("extract/defs.yaml: template at b" in line for line in lines)
    assert any("deep/defs.yaml: not checked" in line for line in lines)


def test_trust_is_remembered_per_path_and_content(exported, tmp_path):
    store = TrustStore(tmp_path / "trust.json")
    comp = exported / "src" / "shop" / "defs" / "custom"
    comp.mkdir()
    (comp / "component.py").write_text("print(1)\n")
    report = scan_folder(exported)
    with pytest.raises(UntrustedProjectError, match="1 thing would run as code at load: src/shop/defs/"):
        require_trust(report, exported, trusted=False, store=store)
    store.trust(exported, report)
    require_trust(scan_folder(exported), exported, trusted=False, store=store)  # remembered
    assert not store.is_trusted(tmp_path / "elsewhere", report)  # another path is not trusted
    (comp / "component.py").write_text("print(2)\n")  # changed content needs trust again
    assert not store.is_trusted(exported, scan_folder(exported))
    require_trust(scan_folder(exported), exported, trusted=True, store=store)  # --trust


def test_file_names_with_control_characters_are_escaped_in_the_summary(exported):
    (exported / "src" / "shop" / "defs" / "evil\x1b[31m\n.py").write_text("x = 1\n")
    summary = scan_folder(exported).summary()
    assert "\x1b" not in summary and "\n" not in summary and "evil\\x1b[31m\\x0a.py" in summary
