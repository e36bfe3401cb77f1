"""Component registry with the real installed packages: discovery, resilience and the disk cache.

Each cold listing runs the helper process (imports dagster, ~3 s), so listings are shared at module scope.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dagster_designer_qt.services.registry import (
    ComponentInfo,
    ComponentRegistry,
    category_for_module,
    default_cache_dir,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

INSTALLED = {
    "dagster.DefinitionsComponent": ("dagster", "dagster", True),
    "dagster.DefsFolderComponent": ("dagster", "dagster", True),
    "dagster.FunctionComponent": ("dagster", "dagster", False),
    "dagster.PythonScriptComponent": ("dagster", "dagster", False),
    "dagster.TemplatedSqlComponent": ("dagster", "dagster", False),
    "dagster.UvRunComponent": ("dagster", "dagster", False),
    "dagster_dbt.DbtProjectComponent": ("dbt", "dagster-dbt", True),
    "dagster_dbt.DbtCloudComponent": ("dbt", "dagster-dbt", True),
    "dagster_sling.SlingReplicationCollectionComponent": ("sling", "dagster-sling", True),
    "dagster_fivetran.FivetranAccountComponent": ("fivetran", "dagster-fivetran", True),
}


@pytest.fixture(scope="module")
def isolated_env(tmp_path_factory):
    """Module-scoped stand-in for conftest's per-test isolation (HOME, caches, DAGSTER_HOME)."""
    base = tmp_path_factory.mktemp("registry_home")
    (base / "dagster_home").mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(base))
        mp.setenv("XDG_CACHE_HOME", str(base / "cache"))
        mp.setenv("DAGSTER_HOME", str(base / "dagster_home"))
        yield base


@pytest.fixture(scope="module")
def env_registry(isolated_env, tmp_path_factory):
    """The plain environment, listed once (cold)."""
    registry = ComponentRegistry(cache_dir=tmp_path_factory.mktemp("cache_env"))
    registry.load()
    assert registry.last_source == "rebuilt"
    return registry


def _write_local_project(root: Path) -> Path:
    project = root / "localproj_project"
    pkg = project / "src" / "localproj"
    (pkg / "components").mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        '[project]\nname = "localproj"\nversion = "0.0.1"\n\n'
        '[tool.dg]\ndirectory_type = "project"\n\n'
        '[tool.dg.project]\nroot_module = "localproj"\nregistry_modules = ["localproj.components.*"]\n'
    )
    (pkg / "__init__.py").write_text("")
    (pkg / "components" / "__init__.py").write_text("")
    (pkg / "components" / "custom.py").write_text(
        "import dagster as dg\n\n\n"
        "class LocalComponent(dg.Component, dg.Model, dg.Resolvable):\n"
        '    """A project-local component."""\n\n'
        "    name: str\n\n"
        "    def build_defs(self, context):\n"
        "        return dg.Definitions()\n"
    )
    return project


@pytest.fixture(scope="module")
def extended(isolated_env, tmp_path_factory):
    """The environment plus a test distribution registering a component through the entry point, one
    whose registry module fails to import, and a project with its own registry_modules."""
    root = tmp_path_factory.mktemp("extended")
    demo = root / "demo_site"
    broken = root / "broken_site"
    shutil.copytree(FIXTURES / "demo_components_pkg", demo)
    shutil.copytree(FIXTURES / "broken_components_pkg", broken)
    project = _write_local_project(root)
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(broken))
        mp.syspath_prepend(str(demo))
        registry = ComponentRegistry(cache_dir=root / "cache", project_dir=project)
        registry.load()
    return registry  # sys.path restored: other tests see the plain environment


# ------------------------------------------------------------------ listing
def test_all_installed_types_are_listed_with_schemas(env_registry):
    by_type = {c.type: c for c in env_registry.components}
    assert set(INSTALLED) <= set(by_type)
    for type_name, (category, distribution, factory) in INSTALLED.items():
        info = by_type[type_name]
        assert info.error is None, info.error
        assert info.schema.get("type") == "object", type_name
        assert info.category == category and info.icon == category
        assert info.distribution == distribution and info.version
        assert info.asset_factory is factory, type_name
        assert info.name == type_name.rsplit(".", 1)[1]
        assert info.module == type_name.rsplit(".", 1)[0]
        assert info.summary and info.description.startswith(info.summary.split("\n")[0])


def test_post_processing_schema_is_dagsters_own_and_survives_the_cache(env_registry):
    from dagster.components.core.defs_module import ComponentPostProcessingModel

    live = ComponentPostProcessingModel.model().model_json_schema()
    assert env_registry.post_processing_schema == live
    warm = ComponentRegistry(cache_dir=env_registry.cache_dir)
    assert warm.load_cached() is not None
    assert warm.post_processing_schema == live


def test_schema_content_is_the_real_pydantic_schema(env_registry):
    dbt = env_registry.get("dagster_dbt.DbtProjectComponent")
    assert "project" in dbt.schema["properties"]
    assert "$defs" in dbt.schema
    function = env_registry.get("dagster.FunctionComponent")
    assert function.schema["required"] == ["execution"]
    assert "assets" in function.schema["properties"]


def test_scaffolder_schema_recorded_where_there_is_one(env_registry):
    dbt = env_registry.get("dagster_dbt.DbtProjectComponent")
    assert isinstance(dbt.scaffolder_schema, dict) and dbt.scaffolder_schema.get("properties")


def test_get_resolves_the_defining_module_path_too(env_registry):
    dbt = env_registry.get("dagster_dbt.DbtProjectComponent")
    assert dbt.aliases
    for alias in dbt.aliases:
        assert env_registry.get(alias) is dbt
    assert env_registry.get("dagster_airbyte.AirbyteCloudWorkspaceComponent") is None


def test_components_sorted_core_first(env_registry):
    categories = [c.category for c in env_registry.components]
    assert categories[0] == "dagster"
    assert categories.index("dbt") > max(i for i, c in enumerate(categories) if c == "dagster")


def test_component_info_round_trips_through_dict(env_registry):
    for info in env_registry.components:
        again = ComponentInfo.from_dict(json.loads(json.dumps(info.to_dict())))
        assert again == info


def test_from_dict_ignores_unknown_keys_and_fills_defaults():
    info = ComponentInfo.from_dict({"type": "x.Y", "name": "Y", "module": "x", "future_field": 1,
                                    "schema": None})
    assert info.schema == {} and info.error is None and info.aliases == ()


@pytest.mark.parametrize("module, category", [
    ("dagster", "dagster"), ("dagster_dbt", "dbt"), ("dagster_sling", "sling"),
    ("dagster_fivetran", "fivetran"), ("dagster_airbyte.components", "airbyte"),
    ("acme_tools.components", "acme_tools"),
])
def test_category_for_module(module, category):
    assert category_for_module(module) == category


def test_default_cache_dir_follows_xdg(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert str(default_cache_dir()).startswith(str(tmp_path / "xdg"))


# ----------------------------------------------------- entry points, errors
def test_entry_point_component_from_a_test_distribution_shows_up(extended):
    demo = extended.get("demo_components.DemoComponent")
    assert demo is not None and demo.error is None
    assert demo.distribution == "demo-components" and demo.version == "0.1.0"
    assert demo.category == "demo_components"
    assert demo.summary == "A demo component for the designer's tests."
    assert set(demo.schema["properties"]) == {"table", "rows"}
    assert demo.asset_factory is True  # declares no `assets` in its schema


def test_broken_registry_module_is_an_error_entry_and_others_still_load(extended):
    broken = extended.get("broken_components")
    assert broken is not None
    assert "broken on purpose" in broken.error
    assert broken.distribution == "broken-components"
    for type_name in INSTALLED:
        assert extended.get(type_name).error is None


def test_component_whose_schema_cannot_be_built_is_an_error_entry(extended):
    bad = extended.get("demo_components.BrokenSchemaComponent")
    assert bad is not None and bad.schema == {}
    assert "no schema for you" in bad.error
    assert bad.summary == "A component whose attributes schema cannot be built."


def test_project_registry_modules_are_included(extended):
    local = extended.get("localproj.components.custom.LocalComponent")
    assert local is not None, [c.type for c in extended.components]
    assert local.error is None and local.project_local
    assert "name" in local.schema["properties"]
    assert extended.get("dagster.FunctionComponent").project_local is False


def test_error_entries_listed_last(extended):
    errors = [c.error is not None for c in extended.components]
    assert errors == sorted(errors)


# -------------------------------------------------------------------- cache
def test_warm_cache_is_used(env_registry):
    again = ComponentRegistry(cache_dir=env_registry.cache_dir)
    assert again.load_cached() == env_registry.components
    assert again.last_source == "cache"
    assert again.load() == env_registry.components and again.last_source == "cache"


def test_cache_file_is_json_with_key(env_registry):
    data = json.loads(env_registry.cache_path.read_text())
    assert data["key"] == env_registry.cache_key()
    assert len(data["components"]) == len(env_registry.components)


def test_cache_is_per_project(env_registry, tmp_path):
    other = ComponentRegistry(cache_dir=env_registry.cache_dir, project_dir=tmp_path)
    assert other.cache_path != env_registry.cache_path
    assert other.load_cached() is None


@pytest.mark.parametrize("content", [
    b"", b"{oops", b"\xff\xfe\x00garbage", b"[]", b'{"format": 1}', b'{"format": 99, "key": "k"}',
    b"null", "KEY_COMPONENTS_NOT_A_LIST", "KEY_BAD_ROW",
])
def test_corrupt_cache_is_ignored(env_registry, tmp_path, content):
    cache_dir = tmp_path / "c"
    cache_dir.mkdir()
    registry = ComponentRegistry(cache_dir=cache_dir)
    if content == "KEY_COMPONENTS_NOT_A_LIST":
        content = json.dumps({"format": 1, "key": registry.cache_key(), "components": {"a": 1}}).encode()
    elif content == "KEY_BAD_ROW":
        content = json.dumps({"format": 1, "key": registry.cache_key(), "components": [{"nope": 1}]}).encode()
    registry.cache_path.write_bytes(content)
    assert registry.load_cached() is None
    assert registry.components == []


def test_unreadable_cache_is_ignored(env_registry, tmp_path):
    registry = ComponentRegistry(cache_dir=tmp_path)
    registry.cache_path.mkdir(parents=True)  # a folder where the file should be
    assert registry.load_cached() is None


def _fake_worker(monkeypatch, registry, components):
    """Replace the helper process by one that writes a canned list (no dagster import: fast)."""
    payload = json.dumps({"components": [c.to_dict() for c in components]})
    calls = []

    def command(out):
        calls.append(out)
        return [sys.executable, "-c", "import sys; open(sys.argv[1], 'w').write(sys.argv[2])", str(out), payload]

    monkeypatch.setattr(registry, "worker_command", command)
    return calls


def test_corrupt_cache_is_rebuilt_by_load(env_registry, tmp_path, monkeypatch):
    registry = ComponentRegistry(cache_dir=tmp_path)
    registry.cache_path.write_bytes(b"\x00corrupt")
    calls = _fake_worker(monkeypatch, registry, env_registry.components)
    assert registry.load() == env_registry.components
    assert registry.last_source == "rebuilt" and len(calls) == 1
    assert ComponentRegistry(cache_dir=tmp_path).load_cached() == env_registry.components


def test_refresh_rebuilds_even_when_warm(env_registry, tmp_path, monkeypatch):
    shutil.copy(env_registry.cache_path, tmp_path / env_registry.cache_path.name)
    registry = ComponentRegistry(cache_dir=tmp_path)
    calls = _fake_worker(monkeypatch, registry, env_registry.components[:3])
    assert registry.load() == env_registry.components and not calls
    assert registry.load(refresh=True) == env_registry.components[:3]
    assert registry.last_source == "rebuilt" and len(calls) == 1
    assert ComponentRegistry(cache_dir=tmp_path).load_cached() == env_registry.components[:3]


def test_cache_rebuilt_when_a_distribution_changes(isolated_env, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "demo_components_pkg", site)
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(site))
        registry = ComponentRegistry(cache_dir=tmp_path / "cache")
        assert registry.load()  # cold
        key_before = registry.cache_key()
        assert ComponentRegistry(cache_dir=tmp_path / "cache").load_cached() is not None
        # "Upgrade" demo-components to 0.2.0 the way pip does: a new dist-info folder.
        old = site / "demo_components-0.1.0.dist-info"
        new = site / "demo_components-0.2.0.dist-info"
        old.rename(new)
        meta = new / "METADATA"
        meta.write_text(meta.read_text().replace("Version: 0.1.0", "Version: 0.2.0"))
        again = ComponentRegistry(cache_dir=tmp_path / "cache")
        assert again.cache_key() != key_before
        assert again.load_cached() is None
        components = again.load()
        assert again.last_source == "rebuilt"
        demo = {c.type: c for c in components}["demo_components.DemoComponent"]
        assert demo.version == "0.2.0"


def test_cache_key_changes_when_a_distribution_is_added(isolated_env, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "placeholder-1.0.dist-info").mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(site))
        registry = ComponentRegistry(cache_dir=tmp_path)
        before = registry.cache_key()
        assert registry.cache_key() == before  # stable
        (site / "newpkg-2.0.dist-info").mkdir()
        assert registry.cache_key() != before


def test_cache_key_changes_when_a_registry_entry_point_changes_in_place(isolated_env, tmp_path):
    """A reinstall of the same version that adds a registry module (an editable install's pyproject
    edited, then ``pip install -e .``) rewrites entry_points.txt but keeps the folder names."""
    site = tmp_path / "site"
    dist = site / "acme_components-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "entry_points.txt").write_text("[console_scripts]\nacme = acme.cli:main\n")
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(site))
        registry = ComponentRegistry(cache_dir=tmp_path / "cache")
        before = registry.cache_key()
        (dist / "entry_points.txt").write_text("[console_scripts]\nacme = acme.cli:main\n\n"
                                               "[dagster_dg_cli.registry_modules]\nacme = acme.components\n")
        assert registry.cache_key() != before


def test_the_environment_fingerprint_reads_no_package_metadata(tmp_path):
    """It runs on every start (the warm cache's key): folder listings and stats only."""
    code = ("import sys\n"
            "from dagster_designer_qt.services.registry import ComponentRegistry\n"
            f"ComponentRegistry(cache_dir={str(tmp_path)!r}).cache_key()\n"
            "print('importlib.metadata' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_cache_key_changes_when_project_components_change(tmp_path):
    project = _write_local_project(tmp_path)
    registry = ComponentRegistry(cache_dir=tmp_path / "cache", project_dir=project)
    before = registry.cache_key()
    (project / "src" / "localproj" / "components" / "more.py").write_text("X = 1\n")
    after_new_file = registry.cache_key()
    assert after_new_file != before
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"localproj.components.*"', '"localproj.other"'))
    assert registry.cache_key() != after_new_file


def test_cache_key_ignores_project_folder_on_sys_path(tmp_path, monkeypatch):
    project = _write_local_project(tmp_path)
    registry = ComponentRegistry(cache_dir=tmp_path / "cache", project_dir=project)
    before = registry.cache_key()
    monkeypatch.syspath_prepend(str(project / "src"))
    (project / "src" / "x-1.0.dist-info").mkdir()
    assert registry.cache_key() == before


def test_worker_failure_is_a_registry_error(isolated_env, tmp_path, monkeypatch):
    from dagster_designer_qt.services.registry import RegistryError

    registry = ComponentRegistry(cache_dir=tmp_path)
    monkeypatch.setattr(registry, "worker_command",
                        lambda out: [sys.executable, "-c", "import sys; sys.exit('worker exploded')"])
    with pytest.raises(RegistryError, match="worker exploded"):
        registry.load()
    assert not registry.cache_path.exists()
