"""The one template rule (core.templates): Dagster's documented templates and the designer's own generated
ones pass; anything that could reach Python internals or run code is reported."""

import itertools

import pytest
import yaml

from dagster_designer_qt.core.model import Edge, Node, Project
from dagster_designer_qt.core.templates import RUNS_CODE, find_templates, is_template, template_problem
from dagster_designer_qt.services.codegen import generate
from dagster_designer_qt.services.trust import scan_files

ALLOWED = [
    "plain text",
    "{{ env('API_KEY') }}",
    "{{ env('API_KEY', 'default') }}",
    "{{ env.API_KEY }}",
    "{{ env['API_KEY'] }}",
    "{{ context.project_root }}/dbt_project",
    "{{ context.load_component('other') }}",
    "{{ node.name }}",
    "{{ props['name'] | upper }}",
    "{{ spec.key.to_user_string() }}",
    "{{ 'prefix_' ~ node.name }}",
    "{{ node.config.materialized if node.config else 'view' }}",
    "{{ dg.AutomationCondition.eager() }}",
    "{{ dg.DailyPartitionsDefinition(start_date='2024-01-01') }}",
    "{# a comment #}",
    "{{ spec.deps + ([spec.key.from_user_string('a/b')] | unique | reject('in', "
    "(spec.deps | map(attribute='asset_key') | list)) | list) }}",
]

RUNS = [
    "{{ cycler.__init__.__globals__.os.system('touch /tmp/x') }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ range(10) | list }}",
    "{{ env.__class__ }}",
    "{{ env['__class__'] }}",
    "{{ env[name] }}",
    "{{ env | attr('__class__') }}",
    "{{ env | map('attr', '__dict__') | list }}",
    "{{ [env] | map(attribute='__class__.__mro__') | list }}",
    "{{ [env] | selectattr('__class__') | list }}",
    "{{ context.project_root.__class__ }}",
    "{{ context.build_defs('x').__init__ }}",
    "{{ node.name.format(node) }}",
    "{{ 'a' * 100000000 }}",
    "{{ 2 ** 100000 }}",
    "{% for x in range(3) %}{{ x }}{% endfor %}",
    "{% set x = 1 %}",
    "{{ env(*['A']) }}",
    "{{ self }}",
    "x {{ config.items() }}",
]


@pytest.mark.parametrize("text", ALLOWED)
def test_documented_templates_are_allowed(text):
    assert template_problem(text) is None


@pytest.mark.parametrize("text", RUNS)
def test_code_running_templates_are_reported(text):
    reason, runs_code = template_problem(text)
    assert runs_code and reason.startswith(RUNS_CODE)


@pytest.mark.parametrize("text", ["{{ x", "{{ env('A') }", "{% if %}"])
def test_broken_templates_are_reported_as_not_loadable(text):
    reason, runs_code = template_problem(text)
    assert not runs_code and "not a valid template" in reason


@pytest.mark.parametrize("text,expected", [
    ("{{ x", True), ("a {% raw %}", True), ("{# c #}", True), ("x }}", False), ("{ {", False), (5, False),
])
def test_is_template_is_what_jinja_parses(text, expected):
    assert is_template(text) is expected


def test_find_templates_reports_paths_and_survives_deep_nesting():
    deep = bad = "{{ lipsum }}"
    for _ in range(5000):
        deep = [deep]
    found = list(find_templates({"a": [{"b": bad}], bad: 1, "deep": deep}))
    paths = {f.path[:2] for f in found}
    assert ("a", 0) in paths and (bad,) in paths and ("deep", 0) in paths


# ---------------------------------------------------- everything codegen emits passes the rule
SCRIPT = "print('x')\n"


def _node(kind: str, node_id: str) -> Node:
    def script(**asset):
        return Node(node_id, "dagster.PythonScriptComponent", node_id, 0, 0,
                    attributes={"execution": {"path": "run.py"}, "assets": [{"key": f"{node_id}/k", **asset}]},
                    files={"run.py": SCRIPT})
    if kind == "script":
        return script()
    if kind == "script_literal_deps":
        return script(deps=["ext/one"])
    if kind == "script_template_deps":
        return script(deps="{{ [env.UPSTREAM] }}")
    if kind == "script_template_key":
        return Node(node_id, "dagster.PythonScriptComponent", node_id, 0, 0,
                    attributes={"execution": {"path": "run.py"}, "assets": [{"key": "{{ env('KEY') }}"}]},
                    files={"run.py": SCRIPT})
    if kind == "dbt":
        return Node(node_id, "dagster_dbt.DbtProjectComponent", node_id, 0, 0,
                    attributes={"project": "{{ context.project_root }}/dbt"})
    if kind == "dbt_translation_deps":
        return Node(node_id, "dagster_dbt.DbtProjectComponent", node_id, 0, 0,
                    attributes={"project": "dbt", "translation": {"deps": ["ext/two"]}})
    if kind == "sling":
        return Node(node_id, "dagster_sling.SlingReplicationCollectionComponent", node_id, 0, 0,
                    attributes={"replications": [{"path": "r.yaml"}]}, files={"r.yaml": "streams: {}\n"})
    if kind == "fivetran":
        return Node(node_id, "dagster_fivetran.FivetranAccountComponent", node_id, 0, 0,
                    attributes={"workspace": {"api_key": "{{ env('FIVETRAN_API_KEY') }}"}})
    if kind == "custom":
        return Node(node_id, "my_pkg.components.Custom", node_id, 0, 0, attributes={"x": 1})
    if kind == "custom_post":
        return Node(node_id, "my_pkg.components.Custom", node_id, 0, 0, attributes={},
                    post_processing={"assets": [{"target": "*", "attributes": {"group_name": "g"}}]})
    raise AssertionError(kind)


KINDS = ["script", "script_literal_deps", "script_template_deps", "script_template_key", "dbt",
         "dbt_translation_deps", "sling", "fivetran", "custom", "custom_post"]


def test_every_template_codegen_emits_for_every_edge_pairing_is_allowed():
    shapes = set()
    for source, target in itertools.product(KINDS, KINDS):
        project = Project(f"{source} to {target}")
        # two sources feeding one target also covers the joined "+" expressions
        project.graph.load([_node(source, "up1"), _node(source, "up2"), _node(target, "down")],
                           [Edge("e1", "up1", "down"), Edge("e2", "up2", "down")])
        files = generate(project).files
        report = scan_files(files)
        assert not report.needs_trust, (source, target, [i.line() for i in report.items])
        for rel, text in files.items():
            if rel.endswith("defs.yaml"):
                for s in _strings(yaml.safe_load(text)):
                    for shape in ("context.build_defs", "asset.key.from_user_string",
                                  "spec.key.from_user_string", "{{ [['"):
                        if shape in s:
                            shapes.add(shape)
    # the pairings really exercise each kind of generated template
    assert shapes == {"context.build_defs", "asset.key.from_user_string", "spec.key.from_user_string",
                      "{{ [['"}


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


@pytest.mark.parametrize("text", ["{{ x", "{{ env('A') }}", "a {% if %}", "x }}", "plain", "{#"])
def test_every_template_check_uses_the_one_rule(text):
    from dagster_designer_qt.core import assets, attrs

    assert assets.is_template(text) is attrs.is_template(text) is is_template(text)
