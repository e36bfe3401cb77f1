"""The defs.yaml document codegen writes for one node of a project opened from a folder.

The same rules as export (edges become deps, translation goes where the component keeps it, env vars
become ``requirements``), with two differences for a project that lives in its own folder: no op names
are added (existing ones stay as the user wrote them), and a folder reference to an upstream node
(``context.build_defs('x')``) names the folder the node really is in. Saving in place compares this
document for the node as it was read and as it is now, and writes only the difference.
"""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path
from typing import Any, Mapping

import yaml

from dagster_designer_qt.core.json_copy import same_json
from dagster_designer_qt.services.codegen import _SAFE_KEY, _Generator, dbt_source_keys, folder_slugs
from dagster_designer_qt.services.codegen_traits import traits_for
from dagster_designer_qt.services.fast_yaml import Loader


# Not a field of NodeSource (never saved): ``DocGenerator.inputs`` of the node when its ``read`` document
# was made. Saving in place regenerates a document only when its inputs differ, so one change costs one
# document, not one per node of the project.
READ_INPUTS = "read_inputs"

_SAFE_FOLDER = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_./\-]*$")
_PROJECT_ROOT = re.compile(r"^\{\{\s*(context\.)?project_root\s*\}\}")


class DocGenerator(_Generator):
    """``_Generator`` over given nodes and upstream lists, with real folders and no op names."""

    def __init__(self, project: Any, nodes: list[Any], ups: Mapping[str, list[str]],
                 components: Mapping[str, Any] | None, new_nodes: Any = (),
                 folders: Mapping[str, str] | None = None):
        """``folders``: node id -> folder (relative to the defs folder) of nodes not read from one yet."""
        self.project = project
        self.components = components
        self.warnings: list[str] = []
        self.nodes = nodes
        self.by_id = {n.id: n for n in nodes}
        self.slug = {}
        loose = []
        for n in nodes:
            folder = (folders or {}).get(n.id) or folder_of(n, project)
            if folder:
                self.slug[n.id] = folder
            else:
                loose.append(n)
        if loose:
            self.slug.update(folder_slugs(loose))
        by_type: dict[str, Any] = {}
        self.traits = {}
        for n in nodes:
            if n.component_type not in by_type:
                by_type[n.component_type] = traits_for(n.component_type, components)
            self.traits[n.id] = by_type[n.component_type]
        self.upstream = {n.id: list(ups.get(n.id, [])) for n in nodes}
        # new nodes get a unique op name by export's rule (two new nodes running ``script.py`` would both
        # be op ``script``: Dagster refuses to load that); the ops of nodes read from files keep theirs
        self.op_names = self._op_names(eligible={n.id for n in new_nodes})
        self._sources: dict[str, set[str]] = {}

    def literal_keys(self, node_id: str) -> list[str] | None:
        node = self.by_id[node_id]
        source = getattr(node, "source", None)
        if source is not None and source.kind == "python":
            keys = list(source.keys)
            return keys if keys and all(_SAFE_KEY.match(k) for k in keys) else None
        return super().literal_keys(node_id)

    def keys_expr(self, node_id: str, ctor: str | None) -> str:
        if self.literal_keys(node_id) is None and not _SAFE_FOLDER.match(self.slug[node_id]):
            self.warn(self.by_id[node_id], "its folder name can't be named in a template; connections from "
                                           "it are not written")
            return "[]"
        return super().keys_expr(node_id, ctor)

    def _translation_with_deps(self, node: Any, translation: Any, ups: list[str]) -> Any:
        """The dbt sources of a node read from a folder are in its folder, not in ``node.files``."""
        if getattr(node, "source", None) is not None and node.files is None:
            keys = self._source_keys(node)
            if keys:
                proxy = copy.copy(node)
                proxy.files = {"_sources.yml": yaml.safe_dump({"sources": [
                    {"name": "s", "tables": [{"name": "t", "meta": {"dagster": {"asset_key": k.split("/")}}}
                                             for k in sorted(keys)]}]})}
                return super()._translation_with_deps(proxy, translation, ups)
        return super()._translation_with_deps(node, translation, ups)

    def _source_keys(self, node: Any) -> set[str]:
        if node.id not in self._sources:
            ps = self.project.source
            folder = folder_of(node, self.project)
            self._sources[node.id] = folder_source_keys(Path(ps.folder) / ps.defs / folder) \
                if ps is not None and folder else set()
        return self._sources[node.id]

    def _kept_op_names(self, node: Any) -> list[str]:
        """Also a dbt op's default name, the dbt project's ``name`` (``dagster_dbt`` ``build_op_spec``), read
        from the ``dbt_project.yml`` its ``project`` attribute names when that is a plain path or one under
        ``{{ context.project_root }}``."""
        names = super()._kept_op_names(node)
        attrs = node.attributes if isinstance(node.attributes, dict) else {}
        t = self.traits[node.id]
        if t.op_name_attr == "op" and t.op_name_items is None and "project" in attrs \
                and not isinstance(attrs.get("op"), (dict, str)):
            name = dbt_project_name(self._dbt_project_dir(node, attrs["project"]))
            if name:
                names.append(name)
        return names

    def _dbt_project_dir(self, node: Any, project: Any) -> Path | None:
        ps = self.project.source
        folder = folder_of(node, self.project)
        if isinstance(project, dict):
            project = project.get("project_dir")
        if ps is None or folder is None or not isinstance(project, str):
            return None
        root = Path(ps.folder).resolve()
        match = _PROJECT_ROOT.match(project)
        if match:
            path = root / project[match.end():].lstrip("/\\")
        elif "{" in project:
            return None
        else:
            path = root / ps.defs / folder / project
        path = path.resolve()
        return path if path.is_relative_to(root) else None  # never read outside the project folder

    def inputs(self, node: Any) -> tuple:
        """Everything the node's document is made from: its own fields and, per upstream node, what a
        dependency on it is written from. Two equal ``inputs`` (``same_inputs``) give the same document, so
        a save regenerates only the documents whose inputs changed since they were read or saved.

        The model replaces a field's value on every edit (``Graph.set_node_field`` stores a copy) and never
        changes one in place, so an unchanged field is the same object and compares in O(1)."""
        def source_of(n: Any) -> tuple:
            src = getattr(n, "source", None)
            return (src.file, src.kind, tuple(src.keys)) if src is not None else ()

        ups = tuple((u, n.component_type, n.label, n.attributes, self.slug[u], source_of(n), self.traits[u])
                    for u in self.upstream[node.id] for n in (self.by_id[u],))
        return (node.component_type, node.label, node.attributes, node.post_processing, node.translation,
                node.files, source_of(node), self.slug[node.id], self.traits[node.id], ups)

    def document(self, node: Any, op_name: bool = True) -> dict[str, Any]:
        """The node's document; ``op_name=False``: without the op name given to a new node (what the
        document is for the node once it is read from its file, where the name is then the user's)."""
        name = None if op_name else self.op_names.pop(node.id, None)
        try:
            return self.defs_doc(node)
        finally:
            if name is not None:
                self.op_names[node.id] = name


def folder_of(node: Any, project: Any) -> str | None:
    """The node's folder relative to the defs folder (None for a node not read from a folder)."""
    source = getattr(node, "source", None)
    ps = getattr(project, "source", None)
    if source is None or ps is None:
        return None
    file = source.file
    defs = ps.defs.rstrip("/")
    rel = file[len(defs) + 1:] if defs and file.startswith(defs + "/") else file
    return rel.rpartition("/")[0] or "."


_SKIP_FOR_SOURCES = frozenset({"__pycache__", "target", "dbt_packages", "logs", "node_modules"})


def folder_source_keys(folder: Path, limit: int = 200, max_bytes: int = 1024 * 1024) -> set[str]:
    """dbt source keys declared in the .yml/.yaml files below a component folder (bounded)."""
    files: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in _SKIP_FOR_SOURCES)
        for name in sorted(filenames):
            if not name.endswith((".yml", ".yaml")) or name in ("defs.yaml", "defs.yml", "component.yaml") \
                    or len(files) >= limit:
                continue
            path = Path(dirpath) / name
            try:
                if path.is_symlink() or path.stat().st_size > max_bytes:
                    continue
                files[path.relative_to(folder).as_posix()] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
    return dbt_source_keys(files)



def dbt_project_name(project_dir: Path | None) -> str | None:
    """The ``name`` in ``project_dir/dbt_project.yml`` (None when it can't be read)."""
    if project_dir is None:
        return None
    try:
        path = project_dir / "dbt_project.yml"
        if path.stat().st_size > 1024 * 1024:
            return None
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError):
        return None
    name = data.get("name") if isinstance(data, dict) else None
    return name if isinstance(name, str) and name else None


def same_inputs(a: tuple | None, b: tuple | None) -> bool:
    """``DocGenerator.inputs`` of the same node at two times are equal: identity first, then by value with
    types (``same_json``: an attribute changed from ``1`` to ``true`` is a change)."""
    return a is not None and b is not None and same_json(a, b)
