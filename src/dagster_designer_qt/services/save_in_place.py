"""Save a project opened from a Dagster project folder back into that folder, changing only what changed.

For each node read from a file, the document codegen makes of the node now is compared with the one it
made when the node was read (``NodeSource.read``); only the difference is applied, with ruamel.yaml's
round-trip loader, onto that document as it is on disk: comments, key order, quoting and flow style stay.
The edited lines are then spliced into the file's text, so lines ruamel would re-indent are not touched.
Nothing changed: nothing is written (the folder stays byte-identical).

- a node added in the designer gets a new folder ``<defs>/<slug of its label>/defs.yaml`` (a folder name
  not used yet), with its files;
- a removed node's document is removed from its file; a file left with no document is deleted, and the
  other files of its folder are reported as ``orphans`` (kept unless the caller confirms
  ``remove_orphans``);
- op names, folder names and file names stay as they are;
- plain Python modules (read-only nodes) are never written.

Every write is atomic (``atomic.atomic_write_bytes``). ``plan_save`` works on any file source (the disk,
or the in-memory copy an export elsewhere makes), ``apply_plan`` writes a plan to disk, and
``commit_plan`` records in the project what is now on disk.
"""

from __future__ import annotations

import difflib
import io
import json
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import ScalarString
from ruamel.yaml.util import load_yaml_guess_indent

from dagster_designer_qt.core import naming
from dagster_designer_qt.core.errors import DesignerError
from dagster_designer_qt.core.json_copy import same_json
from dagster_designer_qt.core.model import NodeSource
from dagster_designer_qt.services.atomic import atomic_write_bytes
from dagster_designer_qt.services.codegen import node_file_problem, safe_relpath
from dagster_designer_qt.services.node_docs import READ_INPUTS, DocGenerator, same_inputs
from dagster_designer_qt.services.project_reader import load_chunk, split_documents
from dagster_designer_qt.services.value_splice import splice_values

PYTHON_KIND = "python"


class SaveInPlaceError(DesignerError):
    """The project can't be saved into its folder (no folder, the folder is gone, a file can't be read)."""


@dataclass
class SavePlan:
    root: Path | None
    write: dict[str, bytes] = field(default_factory=dict)  # relative path -> new bytes
    delete: list[str] = field(default_factory=list)  # defs files left with no document
    orphans: list[str] = field(default_factory=list)  # files beside a deleted defs file (kept)
    warnings: list[str] = field(default_factory=list)
    # what commit_plan records: doc id -> (file, index, new read document); removed doc ids
    docs: dict[str, tuple[str, int, dict]] = field(default_factory=dict)
    new_sources: dict[str, NodeSource] = field(default_factory=dict)  # node id -> its new source
    inputs: dict[str, tuple] = field(default_factory=dict)  # doc id -> what its new read document is made of
    removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.write or self.delete)


class DiskFiles:
    """The project folder as the file source a plan reads."""

    def __init__(self, root: Path):
        self.root = root

    def read(self, rel: str) -> bytes | None:
        try:
            with open(self.root / rel, "rb") as handle:
                return handle.read()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise SaveInPlaceError(f"{rel}: can't be read ({exc.strerror or exc})") from None

    def exists(self, rel: str) -> bool:
        return os.path.lexists(self.root / rel)

    def files_under(self, rel_folder: str) -> list[str]:
        out = []
        base = self.root / rel_folder
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for f in sorted(filenames):
                out.append((Path(dirpath) / f).relative_to(self.root).as_posix())
        return out


class MemoryFiles:
    """An in-memory copy of the project (relative path -> bytes) as the file source a plan reads."""

    def __init__(self, files: Mapping[str, bytes]):
        self.files = files
        self.folders = {p.rpartition("/")[0] for p in files}
        for folder in list(self.folders):
            while folder:
                folder = folder.rpartition("/")[0]
                self.folders.add(folder)

    def read(self, rel: str) -> bytes | None:
        return self.files.get(rel)

    def exists(self, rel: str) -> bool:
        return rel in self.files or rel in self.folders

    def files_under(self, rel_folder: str) -> list[str]:
        return sorted(p for p in self.files if p.startswith(rel_folder + "/"))


# ------------------------------------------------------------------ planning
def plan_save(project: Any, components: Mapping[str, Any] | None = None, files: Any = None) -> SavePlan:
    ps = project.source
    if ps is None:
        raise SaveInPlaceError("this project was not opened from a Dagster project folder; export it instead")
    root = Path(ps.folder)
    if files is None:
        if not root.is_dir():
            raise SaveInPlaceError(f"the project folder {root} no longer exists")
        files = DiskFiles(root)
    plan = SavePlan(root=root)
    graph = project.graph
    nodes = graph.nodes
    claimed: dict[str, Any] = {}
    new_nodes = []
    for node in nodes:
        src = node.source
        if src is not None and src.kind == PYTHON_KIND:
            continue
        if src is not None and src.doc in ps.documents and src.doc not in claimed:
            claimed[src.doc] = node
        else:
            new_nodes.append(node)
    ups = {n.id: graph.upstream(n.id) for n in nodes}
    folders = _new_folders(files, ps, new_nodes)
    defs = ps.defs.rstrip("/")
    gen = DocGenerator(project, nodes, ups, components, new_nodes,
                       {i: f[len(defs) + 1:] if defs else f for i, f in folders.items()})
    edits: dict[str, dict[int, tuple[dict, dict, str]]] = {}  # file -> index -> (old, new, doc id)
    for doc_id, node in claimed.items():
        file, index = ps.documents[doc_id]
        inputs = gen.inputs(node)
        t = gen.traits[node.id]
        if same_inputs(inputs, getattr(node.source, READ_INPUTS, None)) and not (
                (t.translation or t.item_translation) and ups[node.id]):  # (dbt sources are read from disk)
            plan.docs[doc_id] = (file, index, node.source.read)  # made from the same inputs: unchanged
            continue
        now = gen.document(node)
        plan.docs[doc_id] = (file, index, now)
        plan.inputs[doc_id] = inputs
        if not same_json(now, node.source.read):
            edits.setdefault(file, {})[index] = (node.source.read, now, doc_id)
    removals: dict[str, set[int]] = {}
    for doc_id, (file, index) in ps.documents.items():
        if doc_id not in claimed:
            removals.setdefault(file, set()).add(index)
            plan.removed.append(doc_id)
    for file in sorted(set(edits) | set(removals)):
        _plan_file(plan, files, file, edits.get(file, {}), removals.get(file, set()))
    _plan_new_nodes(plan, new_nodes, folders, gen)
    plan.warnings.extend(gen.warnings)
    return plan


def _plan_file(plan: SavePlan, files: Any, file: str, edits: dict[int, tuple[dict, dict, str]],
               removals: set[int]) -> None:
    data = files.read(file)
    if data is None:
        plan.warnings.append(f"{file}: no longer exists; its changes are not saved")
        for _old, _new, doc_id in edits.values():
            plan.docs.pop(doc_id, None)
        return
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SaveInPlaceError(f"{file}: no longer UTF-8 text; not changed") from None
    chunks = [c for _line, c in split_documents(text)]
    for index, (old, new, doc_id) in sorted(edits.items()):
        if index >= len(chunks) or not _same_document(chunks[index], old):
            plan.warnings.append(f"{file}: document {index + 1} changed on disk since it was read; "
                                 "the designer's changes to it are not saved")
            plan.docs.pop(doc_id, None)
            continue
        chunks[index] = patch_document(chunks[index], old, new)
    kept = [c for i, c in enumerate(chunks) if i not in removals]
    shift = {}
    offset = 0
    for i in range(len(chunks)):
        if i in removals:
            offset += 1
        else:
            shift[i] = i - offset
    for doc_id, (f, index, now) in list(plan.docs.items()):
        if f == file and index in shift:
            plan.docs[doc_id] = (f, shift[index], now)
    if not any(_has_content(c) for c in kept):
        plan.delete.append(file)
        folder = file.rpartition("/")[0]
        plan.orphans.extend(p for p in files.files_under(folder) if p != file)
        return
    new_text = "".join(kept)
    if new_text != text:
        plan.write[file] = new_text.encode("utf-8")


def _same_document(chunk: str, old: dict) -> bool:
    try:
        data = load_chunk(chunk)
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("type") == old.get("type")


def _has_content(chunk: str) -> bool:
    try:
        return load_chunk(chunk) is not None
    except ValueError:
        return True


def _new_folders(files: Any, ps: Any, nodes: list[Any]) -> dict[str, str]:
    """node id -> the new folder (relative to the project folder) of each new node: its label's slug, with
    a number added when a folder of that name exists."""
    defs = ps.defs.rstrip("/")
    out: dict[str, str] = {}
    taken: set[str] = set()
    for node in nodes:
        base = naming.unique_slugs([node.label or node.component_type.rsplit(".", 1)[-1]])[0]
        slug, n = base, 1
        while True:
            folder = f"{defs}/{slug}" if defs else slug
            if folder not in taken and not files.exists(folder):
                break
            n += 1
            slug = f"{base}_{n}"
        taken.add(folder)
        out[node.id] = folder
    return out


def _plan_new_nodes(plan: SavePlan, nodes: list[Any], folders: dict[str, str], gen: DocGenerator) -> None:
    for node in nodes:
        folder = folders[node.id]
        doc = gen.document(node, op_name=False)  # the name written below is the file's from now on
        file = f"{folder}/defs.yaml"
        plan.write[file] = gen.defs_yaml(node).encode("utf-8")
        for name, text in (node.files or {}).items():
            problem = node_file_problem(name)
            if problem:
                raise SaveInPlaceError(f"{node.label or node.id}: {problem}")
            plan.write[f"{folder}/{safe_relpath(name)}"] = text.encode("utf-8")
        plan.new_sources[node.id] = NodeSource(doc=uuid.uuid4().hex, file=file, document=0, read=doc)


# ------------------------------------------------------------------ one document
def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 1 << 16
    y.brace_single_entry_mapping_in_flow_sequence = True  # [{key: a}], not ruamel's [key: a]
    return y


def patch_document(chunk: str, old: dict, new: dict) -> str:
    """The chunk with the difference old -> new applied (comments, order, quoting and flow kept).

    Changed scalar values are spliced into the text first (only their characters change, see
    ``value_splice``); what is left (keys added or removed, lists resized, ...) goes through ruamel.yaml."""
    chunk, old = splice_values(chunk, old, new)
    if same_json(old, new):
        return chunk
    y = _yaml()
    try:
        _data, seq_indent, offset = load_yaml_guess_indent(chunk)
    except YAMLError:
        seq_indent, offset = None, None
    mapping = _mapping_indent(chunk)
    if seq_indent is None:
        seq_indent, offset = mapping, 0
    y.indent(mapping=mapping, sequence=seq_indent, offset=offset or 0)
    if chunk.lstrip().startswith("---"):
        y.explicit_start = True
    try:
        before = y.load(chunk)
        after = y.load(chunk)
    except YAMLError as exc:
        raise SaveInPlaceError(f"a document can't be read back: {exc}") from None
    after = _merge(after, old, new)
    r0, r1 = _dump(y, before), _dump(y, after)
    return _splice(chunk, r0, r1)


def _mapping_indent(chunk: str) -> int:
    """How far a nested mapping is indented under its key (the first example in the text; 2 if none)."""
    lines = [ln for ln in chunk.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    for first, second in zip(lines, lines[1:]):
        head = first.rstrip()
        if head.endswith(":") and not first.lstrip().startswith("-") and not second.lstrip().startswith("-"):
            step = (len(second) - len(second.lstrip())) - (len(first) - len(first.lstrip()))
            if step > 0:
                return step
    return 2


def _dump(y: YAML, data: Any) -> str:
    buffer = io.StringIO()
    y.dump(data, buffer)
    return buffer.getvalue()


def _splice(text: str, r0: str, r1: str) -> str:
    """Apply the line changes r0 -> r1 to text (r0 is ruamel's rendering of text; where it differs from
    text, e.g. in indentation ruamel normalises, those lines of text stay as they are)."""
    if r0 == text:
        return r1
    t_lines, a, b = text.splitlines(True), r0.splitlines(True), r1.splitlines(True)
    align = {}
    for block in difflib.SequenceMatcher(None, a, t_lines, autojunk=False).get_matching_blocks():
        for k in range(block.size):
            align[block.a + k] = block.b + k
    out = list(t_lines)
    hunks = [op for op in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes() if op[0] != "equal"]
    for tag, i1, i2, j1, j2 in reversed(hunks):
        if i1 < i2:
            mapped = [align.get(i) for i in range(i1, i2)]
            if None in mapped or mapped != list(range(mapped[0], mapped[0] + len(mapped))):
                return r1  # can't place the change in the original text: ruamel's rendering it is
            start, end = mapped[0], mapped[-1] + 1
        else:
            if i1 == 0:
                start = 0
            elif align.get(i1 - 1) is not None:
                start = align[i1 - 1] + 1
            else:
                return r1
            end = start
        out[start:end] = b[j1:j2]
    return "".join(out)


def _plain(value: Any) -> Any:
    """A JSON value as ruamel data (new mappings and lists in block style)."""
    if isinstance(value, dict):
        m = CommentedMap()
        for k, v in value.items():
            m[k] = _plain(v)
        return m
    if isinstance(value, list):
        s = CommentedSeq()
        s.extend(_plain(v) for v in value)
        return s
    return value


def _merge(target: Any, old: Any, new: Any) -> Any:
    """``target`` with the change old -> new applied, keeping what it has that old and new share."""
    if same_json(old, new):
        return target
    if isinstance(old, dict) and isinstance(new, dict) and isinstance(target, dict):
        for key in old:
            if key not in new and key in target:
                del target[key]
        for key, value in new.items():
            if key not in old or key not in target:
                target[key] = _plain(value)
            elif not same_json(old[key], value):
                target[key] = _merge(target[key], old[key], value)
        return target
    if isinstance(old, list) and isinstance(new, list) and isinstance(target, list) and \
            len(target) == len(old):
        a = [json.dumps(v, sort_keys=True) for v in old]
        b = [json.dumps(v, sort_keys=True) for v in new]
        ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
        for tag, i1, i2, j1, j2 in reversed(ops):
            if tag == "equal":
                continue
            if tag == "replace" and i2 - i1 == j2 - j1:
                for k in range(i2 - i1):
                    target[i1 + k] = _merge(target[i1 + k], old[i1 + k], new[j1 + k])
                continue
            del target[i1:i2]
            for k, value in enumerate(new[j1:j2]):
                target.insert(i1 + k, _plain(value))
        return target
    if isinstance(new, str) and isinstance(target, ScalarString):
        return type(target)(new)  # keep the quoting style
    return _plain(new)


# ------------------------------------------------------------------ writing
def apply_plan(plan: SavePlan) -> None:
    """Write a plan into its folder: each file atomically; deletions last."""
    root = plan.root
    assert root is not None
    for rel, data in plan.write.items():
        _check_inside(root, rel)
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            atomic_write_bytes(target, data)
        except OSError as exc:
            raise SaveInPlaceError(f"{rel}: can't be written ({exc.strerror or exc})") from None
    for rel in plan.delete:
        _remove(root, rel)


def _remove(root: Path, rel: str) -> None:
    """Remove one file of the project (already gone is fine); an error names the file."""
    _check_inside(root, rel)
    try:
        os.unlink(root / rel)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise SaveInPlaceError(f"{rel}: can't be removed ({exc.strerror or exc})") from None


def remove_orphans(root: str | os.PathLike[str], orphans: list[str]) -> None:
    """Remove the files a deleted component left behind (only after the user confirmed it)."""
    base = Path(root)
    for rel in orphans:
        _remove(base, rel)
    for folder in sorted({str(Path(rel).parent) for rel in orphans}, key=len, reverse=True):
        try:
            (base / folder).rmdir()
        except OSError:
            pass


def _check_inside(root: Path, rel: str) -> None:
    parts = rel.split("/")
    if not rel or rel.startswith("/") or "\\" in rel or any(p in ("", ".", "..") for p in parts):
        raise SaveInPlaceError(f"refusing to write {rel!r}: outside the project folder")
    parent = root
    for part in parts[:-1]:
        parent = parent / part
        if parent.is_symlink():
            raise SaveInPlaceError(f"refusing to write {rel!r}: {part} is a symlink")


def commit_plan(project: Any, plan: SavePlan) -> None:
    """Record in the project what the folder holds now (after ``apply_plan`` succeeded)."""
    ps = project.source
    for doc_id in plan.removed:
        ps.documents.pop(doc_id, None)
    by_doc = {n.source.doc: n for n in project.graph.iter_nodes() if n.source is not None}
    for doc_id, (file, index, now) in plan.docs.items():
        ps.documents[doc_id] = (file, index)
        node = by_doc.get(doc_id)
        if node is not None:
            moved = (node.source.file, node.source.document) != (file, index)
            node.source.file, node.source.document, node.source.read = file, index, now
            if doc_id in plan.inputs and not moved:
                setattr(node.source, READ_INPUTS, plan.inputs[doc_id])
    for node_id, source in plan.new_sources.items():
        node = project.graph.node(node_id)
        node.source = source
        ps.documents[source.doc] = (source.file, source.document)
    for node in project.graph.iter_nodes():
        if node.source is not None and node.source.kind != PYTHON_KIND and node.source.doc not in ps.documents:
            node.source = None  # a copy of another node's source: it is a new node next time


def save_in_place(project: Any, components: Mapping[str, Any] | None = None) -> SavePlan:
    """Plan, write and record a save into the project's folder. Returns the plan (orphans, warnings)."""
    plan = plan_save(project, components)
    apply_plan(plan)
    commit_plan(project, plan)
    return plan

