"""Dagster projects made the way users make them: Dagster's own scaffolders (what `dg scaffold defs` runs),
then hand edits with comments, flow lists and quoting, plus the features people use (DefsFolderComponent
folders, defs.yml and component.yaml, multi-document files, template_vars_module, requirements.env,
component.py types, registry_modules, plain Python definitions, data files, tests/).

``summary(root)`` loads a project with Dagster in a helper process and returns what it defines.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

# Dagster's own scaffolders: the code `dg scaffold defs TYPE PATH` runs for each type.
SCAFFOLDS = [
    ("dagster.DefsFolderComponent", "team", "yaml"),
    ("dagster.PythonScriptComponent", "team/script", "yaml"),
    ("dagster_sling.SlingReplicationCollectionComponent", "ingest", "yaml"),
    ("dagster.asset", "team/my_assets.py", "python"),
    ("dagster.schedule", "schedules.py", "python"),
    ("dagster.job", "jobs.py", "python"),
    ("dagster.sensor", "sensors.py", "python"),
]

_SCAFFOLD = """
import sys
from pathlib import Path
from dagster.components.component_scaffolding import scaffold_object
root = Path(sys.argv[1])
for typename, rel, fmt in {scaffolds!r}:
    scaffold_object(root / "src/shop/defs" / rel, typename, None, fmt, root)
"""

_SUMMARY = """
import json, os, sys, warnings
from pathlib import Path
warnings.filterwarnings("ignore")
root = Path(sys.argv[1]).resolve()
sys.path.insert(0, str(root / "src"))
for line in (root / ".env").read_text().splitlines() if (root / ".env").exists() else []:
    k, _, v = line.partition("=")
    os.environ.setdefault(k.strip(), v.strip())
import dagster as dg
from dagster.components.core.component_tree import ComponentTree
defs = ComponentTree.for_project(root).build_defs()
dg.Definitions.validate_loadable(defs)
graph = defs.resolve_asset_graph()
assets = {}
for node in graph.asset_nodes:
    spec = node.to_asset_spec()
    assets[spec.key.to_user_string()] = {
        "deps": sorted(d.asset_key.to_user_string() for d in spec.deps), "group": spec.group_name,
        "owners": sorted(spec.owners or []), "kinds": sorted(spec.kinds or []),
        "executable": bool(node.is_executable), "description": spec.description}
out = {"assets": assets,
       "checks": sorted(k.to_user_string() for k in graph.asset_check_keys),
       "jobs": sorted(j.name for j in defs.resolve_all_job_defs() if not j.name.startswith("__")),
       "schedules": sorted(s.name for s in (defs.schedules or [])),
       "sensors": sorted(s.name for s in (defs.sensors or []))}
print("@@SUMMARY@@" + json.dumps(out, sort_keys=True))
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(DAGSTER_DG_UPDATE_CHECK_ENABLED="0", DAGSTER_TELEMETRY_DISABLED="1", DAGSTER_IS_DEV_CLI="1")
    return env


def summary(root: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", _SUMMARY, str(root)], capture_output=True, text=True,
                          timeout=600, env=_env(), cwd=str(root))
    for line in proc.stdout.splitlines():
        if line.startswith("@@SUMMARY@@"):
            return json.loads(line[len("@@SUMMARY@@"):])
    raise AssertionError("Dagster could not load the project:\n" + proc.stderr[-4000:])


def w(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"))


def make_shop(root: Path) -> Path:
    """A dg project with every feature listed in issue 12 (module name ``shop``)."""
    w(root / "pyproject.toml", """
        [project]
        name = "shop"
        version = "0.1.0"
        description = "A real-shaped shop"
        dependencies = ["dagster"]

        [tool.dg]
        directory_type = "project"

        [tool.dg.project]
        root_module = "shop"
        registry_modules = ["shop.components.*"]
        """)
    w(root / "src/shop/__init__.py", "")
    w(root / "src/shop/definitions.py", """
        from pathlib import Path

        from dagster import definitions, load_from_defs_folder


        @definitions
        def defs():
            return load_from_defs_folder(path_within_project=Path(__file__).parent)
        """)
    w(root / "src/shop/defs/__init__.py", "")
    proc = subprocess.run([sys.executable, "-c", _SCAFFOLD.format(scaffolds=SCAFFOLDS), str(root)],
                          capture_output=True, text=True, timeout=600, env=_env(), cwd=str(root))
    assert proc.returncode == 0, proc.stderr[-3000:]
    defs = root / "src/shop/defs"
    # the user fills in what was scaffolded, in their own style
    w(defs / "team/defs.yaml", """
        type: dagster.DefsFolderComponent

        attributes: {}

        # everything in this folder belongs to the team
        post_processing:
          assets:
            - target: "*"
              attributes:
                group_name: team
                owners: ["team:data"]
        """)
    w(defs / "team/script/defs.yaml", """
        # Loads the orders. Keep this comment.
        type: dagster.PythonScriptComponent

        attributes:
            execution:
                path: "run.py"   # the script beside this file
                name: load_orders_op
            assets:
                - key: 'raw/orders'
                  kinds: [python, duckdb]
                  description: "Orders as they arrive"
                - key: raw/customers
                  deps: [raw/orders]
        """)
    w(defs / "team/script/run.py", "print('loading')\n")
    (defs / "team/script/orders.csv").write_bytes(b"id,amount\r\n1,9.5\r\n2,\xe2\x82\xac3\r\n")
    w(defs / "team/my_assets.py", """
        import dagster as dg


        @dg.asset(deps=[dg.AssetKey(["raw", "orders"])], kinds={"python"})
        def my_assets(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
            return dg.MaterializeResult()


        @dg.asset_check(asset=my_assets)
        def my_assets_not_empty() -> dg.AssetCheckResult:
            return dg.AssetCheckResult(passed=True)
        """)
    w(defs / "jobs.py", """
        import dagster as dg


        @dg.op
        def hello():
            pass


        @dg.job
        def jobs():
            hello()
        """)
    w(defs / "ingest/defs.yaml", """
        type: dagster_sling.SlingReplicationCollectionComponent

        attributes:
          replications:
            - path: replication.yaml
        """)
    w(defs / "ingest/replication.yaml", """
        source: SRC_DB
        target: DST_DB
        defaults:
          mode: full-refresh
        streams:
          public.customers_src: {}
        """)
    w(defs / "ingest/.env.sling", "ignored=1\n")
    # defs.yml with two documents and a template_vars_module; the second one needs an env var
    w(defs / "reports/defs.yml", """
        type: dagster.PythonScriptComponent
        template_vars_module: .vars
        attributes:
          execution: {path: report.py}
          assets:
            - key: report/daily
              description: "{{ region_name }} daily report"
              deps: [my_assets]
        ---
        # the weekly one
        type: dagster.PythonScriptComponent
        requirements:
          env: [REPORT_OWNER]
        attributes:
          execution: {path: report.py, name: weekly_op}
          assets:
            - key: report/weekly
              owners: ["{{ env.REPORT_OWNER }}"]
        """)
    w(defs / "reports/vars.py", """
        import dagster as dg


        @dg.template_var
        def region_name() -> str:
            return "EU"
        """)
    w(defs / "reports/report.py", "print('report')\n")
    # the old file name Dagster still reads
    w(defs / "legacy/component.yaml", """
        type: dagster.PythonScriptComponent
        attributes:
          execution: {path: legacy.py}
          assets: [{key: legacy_table}]
        """)
    w(defs / "legacy/legacy.py", "print('legacy')\n")
    # a component type defined beside its defs file
    w(defs / "greeting/component.py", """
        import dagster as dg


        class Greeting(dg.Component, dg.Model, dg.Resolvable):
            name: str

            def build_defs(self, context: dg.ComponentLoadContext) -> dg.Definitions:
                return dg.Definitions(assets=[dg.AssetSpec(self.name, kinds={"greeting"})])
        """)
    w(defs / "greeting/defs.yaml", """
        type: .component.Greeting
        attributes:
          name: hello_world
        """)
    # a component type from a registry module
    w(root / "src/shop/components/__init__.py", """
        import dagster as dg


        class Counter(dg.Component, dg.Model, dg.Resolvable):
            count: int = 1

            def build_defs(self, context: dg.ComponentLoadContext) -> dg.Definitions:
                return dg.Definitions(assets=[dg.AssetSpec(f"counted_{i}") for i in range(self.count)])
        """)
    w(defs / "deep/er/still/counter/defs.yaml", """
        type: shop.components.Counter
        attributes:
          count: 2
        """)
    w(root / ".env", "REPORT_OWNER=team:reports\nSRC_DB=duckdb:///tmp/x.db\nDST_DB=duckdb:///tmp/y.db\n")
    w(root / "tests/test_shop.py", "def test_shop_defs():\n    assert 1 + 1 == 2\n")
    w(root / "README.md", "# shop\n")
    (root / ".git_like_cache").mkdir()
    return root
