"""Starting attributes and files for a new node, mirroring what each component's ``dg scaffold`` writes.

Pure data (no Dagster import): the palette/canvas calls ``templates_for(component_type)`` when a node is
created; the property panel offers the same files when a node has none.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field


@dataclass(frozen=True)
class NodeTemplate:
    attributes: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)


_PYTHON_SCRIPT = '''import dagster as dg


def main() -> None:
    context = dg.PipesContext.get()
    context.log.info("Hello from a Dagster Pipes script")
    context.report_asset_materialization(metadata={"rows": 0})


if __name__ == "__main__":
    with dg.open_dagster_pipes():
        main()
'''

_SLING_REPLICATION = """source: {}
target: {}
streams: {}
"""

_SQL = "SELECT 1 AS one\n"

_TEMPLATES: dict[str, NodeTemplate] = {
    # dagster_sling's SlingReplicationComponentScaffolder: replications: [{path: replication.yaml}]
    "dagster_sling.SlingReplicationCollectionComponent": NodeTemplate(
        attributes={"replications": [{"path": "replication.yaml"}]},
        files={"replication.yaml": _SLING_REPLICATION},
    ),
    "dagster.PythonScriptComponent": NodeTemplate(
        attributes={"execution": {"path": "script.py"}, "assets": [{"key": "my_asset"}]},
        files={"script.py": _PYTHON_SCRIPT},
    ),
    "dagster.UvRunComponent": NodeTemplate(
        attributes={"execution": {"path": "script.py"}, "assets": [{"key": "my_asset"}]},
        files={"script.py": _PYTHON_SCRIPT},
    ),
    "dagster.TemplatedSqlComponent": NodeTemplate(
        attributes={"sql_template": {"path": "query.sql"}},
        files={"query.sql": _SQL},
    ),
    # FivetranAccountComponentScaffolder writes env templates for the credentials
    "dagster_fivetran.FivetranAccountComponent": NodeTemplate(
        attributes={"workspace": {
            "account_id": "{{ env('FIVETRAN_ACCOUNT_ID') }}",
            "api_key": "{{ env('FIVETRAN_API_KEY') }}",
            "api_secret": "{{ env('FIVETRAN_API_SECRET') }}",
        }},
    ),
    # DbtProjectComponentScaffolder: project: "{{ context.project_root }}/<dbt project>"
    "dagster_dbt.DbtProjectComponent": NodeTemplate(
        attributes={"project": "{{ context.project_root }}/dbt_project"},
    ),
}


def templates_for(component_type: str) -> NodeTemplate:
    template = _TEMPLATES.get(component_type)
    if template is None:
        return NodeTemplate()
    return NodeTemplate(copy.deepcopy(template.attributes), dict(template.files))


def file_template(component_type: str, file_name: str) -> str | None:
    return _TEMPLATES.get(component_type, NodeTemplate()).files.get(file_name)
