import copy
import json
import os

import pytest

from dagster_designer_qt.core import fileformat
from dagster_designer_qt.core.errors import FutureVersionError, ProjectFileError
from dagster_designer_qt.core.model import Edge, Node, Project
from dagster_designer_qt.services import project_store

# The original web design's shape: no schema_version.
SEED = {
    "id": "abc-123",
    "name": "Analytics Pipeline",
    "description": "From the web designer",
    "graph": {
        "nodes": [
            {
                "id": "dbt-1",
                "type": "component",
                "data": {
                    "label": "Transform",
                    "component_type": "dagster_dbt.DbtProjectComponent",
                    "attributes": {"project": "/path/to/dbt"},
                    "translation": {},
                    "post_processing": {},
                },
                "position": {"x": 100, "y": 100},
            },
            {
                "id": "py-1",
                "type": "component",
                "data": {
                    "label": "Summarize",
                    "component_type": "dagster.PythonScriptComponent",
                    "attributes": {"execution": {"path": "summarize.py"}},
                    "files": {"summarize.py": "print('hi')\n"},
                },
                "position": {"x": 400.5, "y": 100},
            },
        ],
        "edges": [{"id": "e1", "source": "dbt-1", "target": "py-1"}],
    },
    "created_at": "2026-01-01T00:00:00Z",
    "updated_at": "2026-01-02T00:00:00Z",
    "git_repo": None,
    "git_branch": "main",
}


def test_seed_shaped_file_opens_as_version_1():
    project = fileformat.project_from_dict(copy.deepcopy(SEED))
    assert project.name == "Analytics Pipeline"
    assert [n.id for n in project.graph.nodes] == ["dbt-1", "py-1"]
    node = project.graph.node("py-1")
    assert node.files == {"summarize.py": "print('hi')\n"}
    assert node.x == 400.5
    assert project.graph.node("dbt-1").translation == {}
    out = fileformat.project_to_dict(project)
    assert out["schema_version"] == 1
    expected = dict(copy.deepcopy(SEED), schema_version=1)
    assert out == expected


def test_round_trip_keeps_unknown_keys_everywhere():
    data = copy.deepcopy(SEED)
    data["schema_version"] = 1
    data["x_top"] = {"keep": True}
    data["graph"]["nodes"][0]["x_node"] = 1
    data["graph"]["nodes"][0]["data"]["x_data"] = [1, 2]
    data["graph"]["edges"][0]["label"] = "feeds"
    project = fileformat.project_from_dict(copy.deepcopy(data))
    assert fileformat.project_to_dict(project) == data


def test_save_load_round_trip_is_byte_identical(tmp_path):
    path = tmp_path / "p.ddp.json"
    project = fileformat.project_from_dict(copy.deepcopy(SEED))
    project_store.save_project(project, path, touch=False)
    first = path.read_bytes()
    again = project_store.load_project(path)
    project_store.save_project(again, path, touch=False)
    assert path.read_bytes() == first
    assert first.endswith(b"\n") and b'\n  "graph": {' in first  # indented


def test_save_updates_updated_at(tmp_path):
    project = fileformat.project_from_dict(copy.deepcopy(SEED))
    project_store.save_project(project, tmp_path / "p.json")
    assert project.updated_at != SEED["updated_at"]
    assert project.created_at == SEED["created_at"]


def test_newer_version_is_refused_with_both_versions_and_file_untouched(tmp_path):
    path = tmp_path / "future.ddp.json"
    data = dict(copy.deepcopy(SEED), schema_version=7)
    path.write_text(json.dumps(data))
    before = path.read_bytes()
    with pytest.raises(FutureVersionError) as info:
        project_store.load_project(path)
    assert "7" in str(info.value) and "1" in str(info.value)
    assert path.read_bytes() == before


def _mutated(fn):
    data = copy.deepcopy(SEED)
    fn(data)
    return data


BAD = [
    ("not an object", lambda d: None, "$", "expected an object"),
    ("name wrong type", lambda d: d.__setitem__("name", 5), "$.name", "expected a string"),
    ("nodes not array", lambda d: d["graph"].__setitem__("nodes", {}), "$.graph.nodes", "expected an array"),
    ("node not object", lambda d: d["graph"]["nodes"].__setitem__(1, "x"), "$.graph.nodes[1]", "expected an object"),
    ("missing node id", lambda d: d["graph"]["nodes"][0].pop("id"), "$.graph.nodes[0]", "missing required key 'id'"),
    ("missing component type", lambda d: d["graph"]["nodes"][1]["data"].pop("component_type"),
     "$.graph.nodes[1].data", "component_type"),
    ("attributes wrong type", lambda d: d["graph"]["nodes"][0]["data"].__setitem__("attributes", []),
     "$.graph.nodes[0].data.attributes", "expected an object"),
    ("position not a number", lambda d: d["graph"]["nodes"][0]["position"].__setitem__("x", "left"),
     "$.graph.nodes[0].position.x", "expected a number between"),
    ("file content not text", lambda d: d["graph"]["nodes"][1]["data"]["files"].__setitem__("a.py", 3),
     "$.graph.nodes[1].data.files.a.py", "text"),
    ("edge to missing node", lambda d: d["graph"]["edges"][0].__setitem__("target", "ghost"),
     "$.graph.edges[0].target", "missing node 'ghost'"),
    ("duplicate node id", lambda d: d["graph"]["nodes"][1].__setitem__("id", "dbt-1"),
     "$.graph.nodes[1].id", "duplicate node id"),
    ("duplicate edge id", lambda d: d["graph"]["edges"].append({"id": "e1", "source": "py-1", "target": "dbt-1"}),
     "$.graph.edges[1].id", "duplicate edge id"),
    ("duplicate edge", lambda d: d["graph"]["edges"].append({"id": "e2", "source": "dbt-1", "target": "py-1"}),
     "$.graph.edges[1]", "duplicate edge"),
    ("self loop", lambda d: d["graph"]["edges"].append({"id": "e2", "source": "py-1", "target": "py-1"}),
     "$.graph.edges[1]", "to itself"),
    ("cycle", lambda d: d["graph"]["edges"].append({"id": "e2", "source": "py-1", "target": "dbt-1"}),
     "$.graph.edges", "cycle"),
    ("bad schema_version", lambda d: d.__setitem__("schema_version", "one"), "$.schema_version", "positive integer"),
]


@pytest.mark.parametrize("case,mutate,json_path,message", BAD, ids=[b[0] for b in BAD])
def test_invalid_files_name_what_and_where(tmp_path, case, mutate, json_path, message):
    if case == "not an object":
        data = [1, 2]
    else:
        data = _mutated(mutate)
    path = tmp_path / "bad.ddp.json"
    path.write_text(json.dumps(data))
    before = path.read_bytes()
    with pytest.raises(ProjectFileError) as info:
        project_store.load_project(path)
    assert info.value.json_path == json_path
    assert message in str(info.value)
    assert str(path) in str(info.value)
    assert path.read_bytes() == before


@pytest.mark.parametrize("content,message", [
    (b"{not json", "not valid JSON"),
    (b"", "not valid JSON"),
    (b"\xff\xfe\x00garbage", "not"),
])
def test_not_json(tmp_path, content, message):
    path = tmp_path / "bad.ddp.json"
    path.write_bytes(content)
    with pytest.raises(ProjectFileError) as info:
        project_store.load_project(path)
    assert message in str(info.value)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ProjectFileError, match="no such file"):
        project_store.load_project(tmp_path / "nope.json")
    with pytest.raises(ProjectFileError, match="folder"):
        project_store.load_project(tmp_path)


def test_atomic_save_keeps_old_file_when_write_fails_midway(tmp_path, monkeypatch):
    path = tmp_path / "p.ddp.json"
    project = Project("Original")
    project_store.save_project(project, path)
    before = path.read_bytes()

    project.name = "Changed"
    real_fsync = os.fsync

    def exploding_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", exploding_fsync)
    with pytest.raises(ProjectFileError, match="No space left"):
        project_store.save_project(project, path)
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.ddp.json"]  # no temp file left behind


def test_save_is_deterministic(tmp_path):
    def build():
        p = Project("Det", project_id="fixed", created_at="2026-01-01T00:00:00Z",
                    updated_at="2026-01-01T00:00:00Z")
        p.graph.add_node(Node("a", "dagster.PythonScriptComponent", "Ünïcode \"q\"", 1.5, 2,
                              attributes={"b": 1, "a": 2}))
        p.graph.add_node(Node("b", "dagster.PythonScriptComponent", "B"))
        p.graph.add_edge(Edge("e", "a", "b"))
        return p
    assert fileformat.dumps(build()) == fileformat.dumps(build())
    assert "Ünïcode" in fileformat.dumps(build())


def test_missing_label_defaults_to_class_name():
    data = _mutated(lambda d: d["graph"]["nodes"][0]["data"].pop("label"))
    project = fileformat.project_from_dict(data)
    assert project.graph.node("dbt-1").label == "DbtProjectComponent"
