"""Seeded fuzz of project files through the CLI (`validate`, `export --out`, `export --zip`), in process.

Each variant is a valid project mutated at the JSON or byte level: hostile strings (lone surrogates, the
bytes ED A0 80, control characters, ANSI escapes, path traversal, 300-character names), 500+ levels of
nesting, integers of 5,000 digits, positions of 4,300 digits, NaN/Infinity, wrong types, missing keys,
broken graphs. For every command the result is either success, or exit 1 with exactly one clean line
``dagster-designer: error: ...`` (warnings aside); never a traceback, never a control character on the
terminal, nothing half-written, nothing written outside the target.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import shutil
from pathlib import Path

import pytest

from dagster_designer_qt import cli

SEED = 1616
VARIANTS = int(os.environ.get("FUZZ_VARIANTS", "300"))

BASE = {
    "schema_version": 1, "id": "p1", "name": "Fuzz Shop", "description": "base",
    "graph": {
        "nodes": [
            {"id": "a", "type": "component", "position": {"x": 0, "y": 0},
             "data": {"label": "Extract", "component_type": "dagster.PythonScriptComponent",
                      "attributes": {"execution": {"path": "run.py"},
                                     "assets": [{"key": "raw/orders", "description": "d"}]},
                      "files": {"run.py": "print('x')\n"}}},
            {"id": "b", "type": "component", "position": {"x": 300, "y": 0},
             "data": {"label": "Report", "component_type": "dagster.PythonScriptComponent",
                      "attributes": {"execution": {"path": "run.py"}, "assets": [{"key": "rep/daily"}]},
                      "translation": {"group_name": "g"},
                      "post_processing": {"assets": [{"target": "*", "attributes": {"group_name": "x"}}]},
                      "files": {"run.py": "print('y')\n"}}},
        ],
        "edges": [{"id": "e1", "source": "a", "target": "b"}],
    },
}

HOSTILE_STRINGS = [
    "\ud800", "a\udfffb", "\x1b[31mred\x1b[0m", "line\nbreak", "tab\tand\rcr", "\x00nul", "../../escape",
    "/abs/path", "a/../../b", "C:\\win", "con", "x" * 300, "é" * 200, "\u202eevil", "{{ cycler }}",
    "{{ x", "", " ", ".", "..", "name.", "defs.yaml", "__init__.py",
]
DEEP = 600


def _mutate(rng: random.Random, data: dict) -> tuple[bytes, str]:
    """A mutated project as bytes and a short description of what was done."""
    kind = rng.choice(["string", "key", "file_name", "deep", "type", "missing", "graph", "text"])
    node = rng.choice(data["graph"]["nodes"])
    s = rng.choice(HOSTILE_STRINGS)
    if kind == "string":
        target = rng.choice(["label", "component_type", "description", "name", "id", "file", "asset_key"])
        if target == "label":
            node["data"]["label"] = s
        elif target == "component_type":
            node["data"]["component_type"] = s
        elif target == "description":
            node["data"]["attributes"]["assets"][0]["description"] = s
        elif target == "name":
            data["name"] = s
        elif target == "id":
            node["id"] = s
        elif target == "file":
            node["data"]["files"]["run.py"] = s
        else:
            node["data"]["attributes"]["assets"][0]["key"] = s
    elif kind == "key":
        node["data"]["attributes"][s] = 1
    elif kind == "file_name":
        node["data"]["files"][s] = "x"
    elif kind == "deep":
        value: object = "leaf"
        for _ in range(rng.choice([DEEP, 520, 900])):
            value = [value] if rng.random() < 0.5 else {"k": value}
        where = rng.choice(["attributes", "translation", "post_processing"])
        node["data"].setdefault(where, {})["deep"] = value
    elif kind == "type":
        value = rng.choice([None, 1, 1.5, True, [], {}, "s", [1, [2]]])
        path = rng.choice(["graph", "nodes", "data", "attributes", "position", "files", "label", "x", "edges"])
        if path == "graph":
            data["graph"] = value
        elif path == "nodes":
            data["graph"]["nodes"] = value
        elif path == "edges":
            data["graph"]["edges"] = value
        elif path == "x":
            node["position"]["x"] = value
        elif path in ("position", "data"):
            node[path] = value
        elif path == "label":
            node["data"]["label"] = value
        else:
            node["data"][path] = value
    elif kind == "missing":
        key = rng.choice(["id", "data", "component_type", "name"])
        if key == "name":
            data.pop("name")
        elif key == "component_type":
            node["data"].pop("component_type")
        else:
            node.pop(key)
    elif kind == "graph":
        edge = rng.choice([{"id": "e2", "source": "b", "target": "a"}, {"id": "e1", "source": "a", "target": "b"},
                           {"id": "e3", "source": "a", "target": "a"}, {"id": "e4", "source": "a", "target": "zz"}])
        data["graph"]["edges"].append(edge)
    text = json.dumps(data, ensure_ascii=rng.random() < 0.5, indent=None if kind == "deep" else 1)
    if kind == "text":
        token = rng.choice(["int5000", "pos4300", "nan", "inf", "surrogate_bytes", "truncate", "bom"])
        if token == "int5000":
            text = text.replace('"d"', "1" + "2" * 4999, 1)
        elif token == "pos4300":
            text = text.replace('"x": 300', '"x": 1' + "0" * 4299, 1)
        elif token == "nan":
            text = text.replace('"d"', rng.choice(["NaN", "Infinity", "-Infinity"]), 1)
        elif token == "inf":
            text = text.replace('"x": 300', '"x": 1e999', 1)
        elif token == "truncate":
            text = text[: rng.randrange(1, len(text))]
        raw = text.encode("utf-8")
        if token == "surrogate_bytes":
            raw = raw.replace(b'"Extract"', b'"Ex\xed\xa0\x80tract"', 1)
        if token == "bom":
            raw = b"\xef\xbb\xbf" + raw
        return raw, f"text:{token}"
    return text.encode("utf-8", "surrogatepass"), f"{kind}:{s!r}"[:60]


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)  # an exception escaping here is the traceback a user would see
    return code, out.getvalue(), err.getvalue()


def _files_under(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def _assert_clean(code: int, out: str, err: str, what: str) -> None:
    for stream in (out, err):
        assert not any(ord(c) < 32 and c != "\n" or 0x7f <= ord(c) <= 0x9f or 0xd800 <= ord(c) <= 0xdfff
                       for c in stream), (what, stream[:300])
    lines = [line for line in err.splitlines() if not line.startswith("warning: ")]
    if code == 0:
        assert lines == [], (what, err)
    elif what.endswith("validate") and not lines:
        assert code == 1 and out.strip(), (what, out)  # the problems, one line each, on stdout
    else:
        assert code == 1, (what, code, err)
        assert len(lines) == 1 and lines[0].startswith("dagster-designer: error: "), (what, err)
        assert "Traceback" not in err


def test_mutated_project_files_give_one_clean_line_and_write_nothing_stray(tmp_path, monkeypatch, warm_registry):
    from dagster_designer_qt.cli_commands import components

    # The real component map, built once: each export would otherwise re-fingerprint the environment.
    real = components.component_map()
    monkeypatch.setattr(components, "component_map", lambda project_dir=None, python=None: real)
    rng = random.Random(SEED)
    work = tmp_path / "work"
    work.mkdir()
    outcomes: dict[str, int] = {}
    for i in range(VARIANTS):
        raw, what = _mutate(rng, json.loads(json.dumps(BASE)))
        src = work / f"v{i}.ddp.json"
        src.write_bytes(raw)
        before = _files_under(work)
        commands = [("export", ["export", str(src), "--out", str(work / f"out{i}")], work / f"out{i}"),
                    ("zip", ["export", str(src), "--zip", str(work / f"out{i}.zip")], work / f"out{i}.zip")]
        if i % 10 == 0:
            commands.append(("validate", ["validate", str(src)], None))
        for name, argv, target in commands:
            code, out, err = _run(argv)
            _assert_clean(code, out, err, f"{what} {name}")
            outcomes[f"{name}:{code}"] = outcomes.get(f"{name}:{code}", 0) + 1
            after = _files_under(work)
            stray = {p for p in after - before
                     if target is None or not (p == target.name or p.startswith(target.name + os.sep))}
            assert not stray, (what, name, stray)  # no temp files, no staging folders, nothing elsewhere
            if target is not None and code != 0:
                assert not target.exists(), (what, name)  # nothing half-written
            before = after
        assert src.read_bytes() == raw  # the project file itself is never touched
        for leftover in (work / f"out{i}", work / f"out{i}.zip"):  # keep the folder small: fast scans
            shutil.rmtree(leftover, ignore_errors=True) if leftover.is_dir() else leftover.unlink(missing_ok=True)
        before = _files_under(work)
    # the mutations really hit both outcomes of every command
    share = VARIANTS // 15
    assert outcomes.get("export:0", 0) > share and outcomes.get("export:1", 0) > 5 * share, outcomes
    assert outcomes.get("zip:0", 0) > share and outcomes.get("zip:1", 0) > 5 * share, outcomes
    assert outcomes.get("validate:1", 0) > VARIANTS // 100, outcomes
