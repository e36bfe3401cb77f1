"""Code generation: Project -> {relative POSIX path: text} of a loadable Dagster project. Pure (no I/O, no
dagster import), deterministic, so that preview is exactly what export writes.

Layout (``create-dagster project`` in 1.13, plus ``workspace.yaml`` and an instance ``dagster.yaml``)::

    pyproject.toml  README.md  .gitignore  .env.example  workspace.yaml  dagster.yaml
    src/<pkg>/__init__.py  src/<pkg>/definitions.py  src/<pkg>/defs/__init__.py
    src/<pkg>/defs/<slug>/defs.yaml  (+ the node's files beside it)
    tests/__init__.py

User text reaches files only through yaml.safe_dump, tomlkit, or as file contents the user wrote; Python
files are constant. Jinja templates we emit contain only our own slugs and keys matching ``_SAFE_KEY``.
Edges become dependencies; see codegen_traits for how the mechanism is chosen.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Mapping

import tomlkit
import yaml

from dagster_designer_qt.core import naming
from dagster_designer_qt.core.assets import declared_asset_keys, declared_op_names, normalize_key
from dagster_designer_qt.core.errors import DesignerError
from dagster_designer_qt.core.json_copy import json_copy
from dagster_designer_qt.core.templates import is_template
from dagster_designer_qt.services.codegen_traits import TypeTraits, op_specs, set_op_names, traits_for, user_op_name

from dagster_designer_qt.services.fast_yaml import Dumper as _Dumper
from dagster_designer_qt.services.fast_yaml import Loader as _Loader


class CodegenError(DesignerError):
    """The project cannot be turned into files (e.g. a node file name that would leave its folder)."""


_SAFE_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_./\-]*$")
_ENV_CALL = re.compile(r"""\benv\(\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]\s*\)""")
_ENV_ATTR = re.compile(r"\benv\.([A-Za-z_][A-Za-z0-9_]*)")
_ENV_ITEM = re.compile(r"""\benv\[\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]\s*\]""")
_TEMPLATE = re.compile(r"^\s*\{\{(.*)\}\}\s*$", re.S)
_RESERVED_FILES = {"defs.yaml", "defs.yml", "__init__.py", "component.py", "definitions.py"}
_WINDOWS_BAD = re.compile(r'[<>:"\\|?*\x00-\x1f]')

DEFINITIONS_PY = '''from pathlib import Path

from dagster import definitions, load_from_defs_folder


@definitions
def defs():
    return load_from_defs_folder(path_within_project=Path(__file__).parent)
'''

DAGSTER_YAML = """# Dagster instance settings for local runs (DAGSTER_HOME=<this folder> dagster dev -w workspace.yaml).
telemetry:
  enabled: false
"""

GITIGNORE = """__pycache__/
*.py[cod]
*.egg-info/
build/
dist/
.venv/
.env
.tmp_dagster_home_*/
tmp*/
storage/
logs/
history/
schedules/
.dagster/
target/
dbt_packages/
.state/
"""


@dataclass
class GeneratedProject:
    files: dict[str, str]
    package: str
    folders: dict[str, str]  # node id -> folder slug under src/<pkg>/defs
    warnings: list[str] = field(default_factory=list)
    env_vars: list[str] = field(default_factory=list)


def package_name(project: Any) -> str:
    return naming.package_name(getattr(project, "name", "") or "")


def generate_files(project: Any, components: Mapping[str, Any] | None = None) -> dict[str, str]:
    """Relative POSIX path -> text, sorted by path. Byte-identical to what export writes."""
    return generate(project, components).files


def dump_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=1 << 16)


def env_vars_in(value: Any) -> set[str]:
    """Names used by ``{{ env('X') }}``, ``{{ env.X }}`` or ``{{ env['X'] }}`` anywhere in a JSON value."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "{{" in item or "{%" in item:
                for rx in (_ENV_CALL, _ENV_ATTR, _ENV_ITEM):
                    found.update(rx.findall(item))
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def folder_slugs(nodes: Any) -> dict[str, str]:
    """node id -> its folder under ``defs/`` (unique slugs of the labels, in node order)."""
    nodes = list(nodes)
    slugs = naming.unique_slugs([n.label or n.component_type.rsplit(".", 1)[-1] for n in nodes])
    return {n.id: s for n, s in zip(nodes, slugs)}


def node_file_problem(name: Any) -> str | None:
    """Why a node file name can't be exported into its component folder, or None when it can."""
    rel = safe_relpath(name)
    if rel is None:
        return f"file name {name!r} is not allowed (use a relative path inside the component folder)"
    if rel.lower() in _RESERVED_FILES:
        return f"file name {name!r} is reserved"
    return None


def embeddable_keys(node: Any, traits: TypeTraits) -> list[str] | None:
    """All of a declaring node's asset keys when every one is literal and safe to embed in a template
    (edges to it then use the keys themselves); None when they are only known at load time."""
    if not traits.declares_assets:
        return None
    keys = declared_asset_keys(node, declares_assets=True, strict=True)
    if not keys or not all(_SAFE_KEY.match(k) for k in keys):
        return None
    return keys


def dbt_source_keys(files: Mapping[str, str] | None) -> set[str]:
    """dbt source keys found in a node's files (``sources:`` in a .yml): an upstream asset with
    such a key is already linked by dbt, so the edge needs no extra dependency."""
    keys: set[str] = set()
    for name, text in (files or {}).items():
        if not name.endswith((".yml", ".yaml")) or "sources:" not in text:
            continue
        try:
            data = yaml.load(text, Loader=_Loader)
        except yaml.YAMLError:
            continue
        sources = data.get("sources") if isinstance(data, dict) else None
        for source in sources if isinstance(sources, list) else []:
            if not isinstance(source, dict) or not isinstance(source.get("name"), str):
                continue
            for table in source.get("tables") or []:
                if isinstance(table, dict) and isinstance(table.get("name"), str):
                    meta = ((table.get("meta") or {}).get("dagster") or {}) if isinstance(
                        table.get("meta"), dict) else {}
                    custom = meta.get("asset_key") if isinstance(meta, dict) else None
                    if isinstance(custom, list) and all(isinstance(p, str) for p in custom):
                        keys.add("/".join(custom))
                    else:
                        keys.add(f"{source['name']}/{table['name']}")
    return keys


# ------------------------------------------------------------------ the generator
class _Generator:
    def __init__(self, project: Any, components: Mapping[str, Any] | None):
        self.project = project
        self.components = components
        self.pkg = package_name(project)
        self.warnings: list[str] = []
        graph = project.graph
        # read-only nodes (plain Python modules of an opened project) are the project's own files, not ours
        self.nodes = [n for n in graph.iter_nodes() if getattr(n, "node_type", "component") == "component"]
        self.slug = folder_slugs(self.nodes)
        self.by_id = {n.id: n for n in self.nodes}
        self.traits = {n.id: traits_for(n.component_type, components) for n in self.nodes}
        self.upstream: dict[str, list[str]] = {n.id: [] for n in self.nodes}
        for edge in graph.iter_edges():
            if edge.source in self.by_id and edge.target in self.by_id:
                self.upstream[edge.target].append(edge.source)
        self.op_names = self._op_names()

    def warn(self, node: Any, message: str) -> None:
        self.warnings.append(f"{node.label or node.id}: {message}")

    # ----------------------------------------------------------- op names
    def _op_names(self, eligible: Any = None) -> dict[str, dict[int | None, str]]:
        """node id -> {slot: op name to emit} for every op spec without a user-set name (slots as in
        ``codegen_traits.op_specs``: None for ``execution``/``op``, an index for Sling's
        ``replications[i].op``). Every unnamed op is named, not only colliding ones: Dagster's default
        names come from file contents the exporter can't always read (a dbt project's name, a templated
        path), and whether a node's ops get names then doesn't depend on the rest of the project. With
        ``eligible``, only those nodes' ops are named (a save in place names new nodes' ops, never the
        user's existing ones, whose names, given or Dagster's default, count as taken)."""
        if eligible is not None and not eligible:
            return {}
        user_names: set[str] = set()
        taken: set[str] = set()
        wanted: list[tuple[str, int | None, str]] = []  # (node id, slot, name before de-duplication)
        for node in self.nodes:
            t = self.traits[node.id]
            named_here = eligible is None or node.id in eligible
            if not named_here:
                taken.update(self._kept_op_names(node))  # its ops keep their names, even Dagster's default ones
            specs = op_specs(node.attributes, t)
            for slot, spec, may_add in specs:
                name = user_op_name(spec)
                if name is not None:
                    if name in user_names:
                        self.warn(node, f"op name {name!r} is used by another op too")
                    user_names.add(name)
                elif named_here and may_add:
                    wanted.append((node.id, slot, self._op_base(node, t, slot, len(specs))))
        names = naming.unique_names([base for _i, _slot, base in wanted], taken=user_names | taken)
        out: dict[str, dict[int | None, str]] = {}
        for (node_id, slot, _base), name in zip(wanted, names):
            out.setdefault(node_id, {})[slot] = name
        return out

    def _kept_op_names(self, node: Any) -> list[str]:
        """The op names a node that keeps its ops has, as far as its attributes tell."""
        return declared_op_names(node)

    def _op_base(self, node: Any, t: TypeTraits, slot: int | None, count: int) -> str:
        """The op name before de-duplication: the node's folder slug; for one of several items' ops, the slug
        and the item's ``path`` stem (what Dagster names a Sling replication's op by) or its position."""
        base = self.slug[node.id]
        if slot is not None and count > 1:
            path = node.attributes[t.op_name_items][slot].get("path")
            literal = isinstance(path, str) and not is_template(path)
            stem = PurePosixPath(path.replace("\\", "/")).stem if literal else ""
            base = f"{base}_{naming.slug(stem) if stem else slot + 1}"
        return naming.op_name(base)

    # ----------------------------------------------------------- keys of a node
    def literal_keys(self, node_id: str) -> list[str] | None:
        return embeddable_keys(self.by_id[node_id], self.traits[node_id])

    def keys_expr(self, node_id: str, ctor: str | None) -> str:
        """A Jinja expression evaluating to the upstream node's asset keys."""
        keys = self.literal_keys(node_id)
        if keys is not None:
            return _jinja_keys(keys, ctor)
        return (f"(context.build_defs('{self.slug[node_id]}').resolve_asset_graph()"
                f".executable_asset_keys | list)")

    # ----------------------------------------------------------- one node
    def defs_yaml(self, node: Any) -> str:
        return dump_yaml(self.defs_doc(node))

    def defs_doc(self, node: Any) -> dict[str, Any]:
        """The node's defs.yaml document as data (fresh containers, nothing shared with the node)."""
        t: TypeTraits = self.traits[node.id]
        attrs = json_copy(node.attributes) if isinstance(node.attributes, dict) else {}
        post = json_copy(node.post_processing) if node.post_processing else None

        # translation -> attributes.translation (or per item, e.g. Sling replications)
        if node.translation and not apply_node_translation(node, attrs, t):
            self.warn(node, "this component type has no 'translation' attribute; translation not exported")

        # unique op names
        if node.id in self.op_names:
            set_op_names(attrs, t, self.op_names[node.id])

        # edges -> dependencies
        ups = self.upstream[node.id]
        if ups:
            post = self.add_deps(node, t, attrs, post, ups)

        doc: dict[str, Any] = {"type": node.component_type}
        if attrs:
            doc["attributes"] = attrs
        env = sorted(env_vars_in([attrs, post]))
        if env:
            doc["requirements"] = {"env": env}
        if post:
            doc["post_processing"] = post
        return doc

    def add_deps(self, node: Any, t: TypeTraits, attrs: dict, post: dict | None, ups: list[str]) -> dict | None:
        up_literal = [self.literal_keys(u) for u in ups]
        if t.declares_assets and isinstance(attrs.get("assets"), list) and attrs["assets"]:
            for spec in attrs["assets"]:
                if isinstance(spec, dict):
                    self._asset_deps(node, spec, ups, up_literal)
            return post
        if t.declares_assets and attrs.get("assets") is not None and not isinstance(attrs.get("assets"), list):
            pass  # `assets` is a template: fall through to post_processing
        elif t.declares_assets:
            self.warn(node, "declares no assets, so its incoming connections have no effect")
            return post
        if t.translation:
            tr = self._translation_with_deps(node, attrs.get("translation"), ups)
            if tr is not None:
                attrs["translation"] = tr
            return post
        if t.item_translation and isinstance(attrs.get(t.item_translation), list):
            for item in attrs[t.item_translation]:
                if isinstance(item, dict):
                    tr = self._translation_with_deps(node, item.get("translation"), ups)
                    if tr is not None:
                        item["translation"] = tr
            return post
        # Fallback: post_processing can't see `context`, so only literal upstream keys work here.
        if any(k is None for k in up_literal):
            names = ", ".join(self.by_id[u].label or u for u, k in zip(ups, up_literal) if k is None)
            self.warn(node, f"cannot add dependencies on {names}: this component type takes no deps, and "
                            "their asset keys are only known when Dagster loads them")
            return post
        keys = _dedupe(k for ks in up_literal for k in ks)  # type: ignore[union-attr]
        rule = {"target": "*", "attributes": {"deps": (
            "{{ asset.deps + (" + _jinja_keys(keys, "asset.key.from_user_string") +
            " | reject('in', asset.deps | map(attribute='asset_key') | list) | list) }}")}}
        post = post or {}
        rules = post.get("assets")
        if rules is not None and not isinstance(rules, list):
            self.warn(node, "post_processing.assets is not a list; incoming connections not exported")
            return post
        post["assets"] = [*(rules or []), rule]
        return post

    def _asset_deps(self, node: Any, spec: dict, ups: list[str], up_literal: list[list[str] | None]) -> None:
        existing = spec.get("deps")
        if existing is None:
            existing = []
        if isinstance(existing, list) and all(isinstance(d, str) and "{{" not in d for d in existing) \
                and all(k is not None for k in up_literal):
            have = {normalize_key(d) for d in existing}
            new = [k for ks in up_literal for k in ks if k not in have]  # type: ignore[union-attr]
            spec["deps"] = list(existing) + _dedupe(new)
            return
        base = _base_expr(existing, None)
        if base is None:
            self.warn(node, "its asset deps can't be combined with its connections (unsupported key or "
                            "template); connections not exported")
            return
        parts = [base] + [self.keys_expr(u, None) for u in ups]
        spec["deps"] = "{{ " + " + ".join(parts) + " }}"

    def _translation_with_deps(self, node: Any, translation: Any, ups: list[str]) -> Any:
        implied = dbt_source_keys(node.files)
        if implied:
            ups = [u for u in ups if not (self.literal_keys(u) and set(self.literal_keys(u) or ()) <= implied)]
            if not ups:
                return translation
        if isinstance(translation, str):
            self.warn(node, "translation is a template; incoming connections not exported")
            return translation
        tr = dict(translation) if isinstance(translation, dict) else {}
        ctor = "spec.key.from_user_string"
        added = " + ".join(self.keys_expr(u, ctor) for u in ups)
        if "deps" in tr:
            base = _base_expr(tr["deps"], ctor)
            if base is None:
                self.warn(node, "translation.deps can't be combined with its connections; not exported")
                return tr
            base_keys = base
        else:
            base, base_keys = "spec.deps", "(spec.deps | map(attribute='asset_key') | list)"
        tr["deps"] = ("{{ " + base + " + ((" + added + ") | unique | reject('in', " + base_keys +
                      ") | list) }}")
        return tr

    # ----------------------------------------------------------- node files
    def node_files(self, node: Any, folder: str) -> dict[str, str]:
        out: dict[str, str] = {}
        seen: set[str] = set()
        for name, text in (node.files or {}).items():
            problem = node_file_problem(name)
            if problem:
                raise CodegenError(f"{node.label or node.id}: {problem}")
            rel = safe_relpath(name) or name
            if rel.lower() in seen:
                raise CodegenError(f"{node.label or node.id}: two files named {name!r}")
            seen.add(rel.lower())
            out[f"{folder}/{rel}"] = text
        return out

    # ----------------------------------------------------------- project files
    def pyproject(self, distributions: list[str]) -> str:
        doc = tomlkit.document()
        proj = tomlkit.table()
        proj["name"] = naming.distribution_name(self.project.name or "")
        proj["version"] = "0.1.0"
        if self.project.description:
            proj["description"] = " ".join(str(self.project.description).split())
        proj["requires-python"] = ">=3.10,<3.14"
        deps = tomlkit.array()
        for d in ["dagster>=1.13,<1.14", *distributions]:
            deps.append(d)
        proj["dependencies"] = deps.multiline(True)
        doc["project"] = proj
        groups = tomlkit.table()
        dev = tomlkit.array()
        for d in ("dagster-webserver", "dagster-dg-cli"):
            dev.append(d)
        groups["dev"] = dev.multiline(True)
        doc["dependency-groups"] = groups
        build = tomlkit.table()
        build["requires"] = ["hatchling"]
        build["build-backend"] = "hatchling.build"
        doc["build-system"] = build
        tool = tomlkit.table(is_super_table=True)
        hatch_wheel = tomlkit.table()
        hatch_wheel["packages"] = [f"src/{self.pkg}"]
        tool["hatch"] = {"build": {"targets": {"wheel": hatch_wheel}}}
        dg = tomlkit.table()
        dg["directory_type"] = "project"
        dgp = tomlkit.table()
        dgp["root_module"] = self.pkg
        dgp["registry_modules"] = [f"{self.pkg}.components.*"]
        dg["project"] = dgp
        tool["dg"] = dg
        doc["tool"] = tool
        return tomlkit.dumps(doc)

    def readme(self, env: list[str]) -> str:
        title = " ".join((self.project.name or self.pkg).split())
        lines = [f"# {title}", ""]
        if self.project.description:
            lines += [str(self.project.description).strip(), ""]
        lines += [
            "Generated by Dagster Designer.", "",
            "```bash",
            "python -m venv .venv && .venv/bin/pip install -e . dagster-webserver dagster-dg-cli",
            ".venv/bin/dg list defs      # or: .venv/bin/dg dev",
            "# without dg: DAGSTER_HOME=$PWD .venv/bin/dagster dev -w workspace.yaml",
            "```", "",
        ]
        if env:
            lines += ["Environment variables used (see `.env.example`): " + ", ".join(f"`{e}`" for e in env), ""]
        lines += [f"Components live in `src/{self.pkg}/defs/<folder>/defs.yaml`.", ""]
        return "\n".join(lines)

    def workspace_yaml(self) -> str:
        return dump_yaml({"load_from": [{"python_module": {
            "module_name": f"{self.pkg}.definitions",
            "working_directory": "src",
            "location_name": self.pkg,
        }}]})

    def run(self) -> GeneratedProject:
        files: dict[str, str] = {}
        defs_root = f"src/{self.pkg}/defs"
        env: set[str] = set()
        distributions: set[str] = set()
        for node in self.nodes:
            folder = f"{defs_root}/{self.slug[node.id]}"
            files[f"{folder}/defs.yaml"] = self.defs_yaml(node)
            files.update(self.node_files(node, folder))
            env |= env_vars_in([node.attributes, node.translation, node.post_processing])
            dist = self.traits[node.id].distribution
            # dagster itself is always a (pinned) dependency already
            if dist and dist.lower().replace("_", "-") != "dagster":
                distributions.add(dist)
        env_list = sorted(env)
        files["pyproject.toml"] = self.pyproject(sorted(distributions))
        files["README.md"] = self.readme(env_list)
        files[".gitignore"] = GITIGNORE
        files["workspace.yaml"] = self.workspace_yaml()
        files["dagster.yaml"] = DAGSTER_YAML
        files[f"src/{self.pkg}/__init__.py"] = ""
        files[f"src/{self.pkg}/definitions.py"] = DEFINITIONS_PY
        files[f"{defs_root}/__init__.py"] = ""
        files["tests/__init__.py"] = ""
        if env_list:
            files[".env.example"] = "".join(f"{name}=\n" for name in env_list)
        return GeneratedProject(
            files=dict(sorted(files.items())),
            package=self.pkg,
            folders=dict(self.slug),
            warnings=self.warnings,
            env_vars=env_list,
        )



def apply_node_translation(node: Any, attrs: dict, traits: TypeTraits) -> bool:
    """Write the node's own ``translation`` into ``attrs`` where the component keeps it (its
    ``translation`` attribute, or each item's, e.g. Sling replications); the attributes' own entries win
    per item. Returns False when the component has nowhere to put it. Shared by export and validation,
    so what is validated is what is exported."""
    if not node.translation:
        return True
    if traits.translation:
        merged = dict(attrs["translation"]) if isinstance(attrs.get("translation"), dict) else {}
        merged.update(copy.deepcopy(node.translation))
        attrs["translation"] = merged
        return True
    if traits.item_translation and isinstance(attrs.get(traits.item_translation), list):
        for item in attrs[traits.item_translation]:
            if isinstance(item, dict):
                merged = copy.deepcopy(node.translation)
                if isinstance(item.get("translation"), dict):
                    merged.update(item["translation"])
                item["translation"] = merged
        return True
    return False


def generate(project: Any, components: Mapping[str, Any] | None = None) -> GeneratedProject:
    """Files plus what the loader and UI want to know (node folders, warnings, env vars)."""
    return _Generator(project, components).run()


# ------------------------------------------------------------------ helpers
def _dedupe(items: Any) -> list[str]:
    return list(dict.fromkeys(items))


def _jinja_keys(keys: list[str], ctor: str | None) -> str:
    """A Jinja list of keys; callers guarantee every key matches _SAFE_KEY (no quotes or braces).

    Templates can't name ``AssetKey`` (``dg`` exposes only a few classes), so where AssetKey objects are
    needed for comparisons ``ctor`` borrows the static constructor from an AssetKey in scope
    (``spec.key.from_user_string`` in a translation, ``asset.key.from_user_string`` in post_processing).
    Without ``ctor`` each key is a list of its path segments, which ``AssetSpec(deps=...)`` coerces (a
    plain "a/b" string would become the single-segment key ``a/b``).
    """
    assert all(_SAFE_KEY.match(k) for k in keys)
    if ctor is None:  # a list of path segments is coercible to an AssetKey
        return "[" + ", ".join("[" + ", ".join(f"'{p}'" for p in k.split("/")) + "]" for k in keys) + "]"
    return "[" + ", ".join(f"{ctor}('{k}')" for k in keys) + "]"


def _base_expr(existing: Any, ctor: str | None) -> str | None:
    """A Jinja expression for deps the user wrote (literal list of safe keys, or one template)."""
    if existing is None:
        return "[]"
    if isinstance(existing, list):
        keys = []
        for d in existing:
            if not isinstance(d, str) or not _SAFE_KEY.match(normalize_key(d)):
                return None
            keys.append(normalize_key(d))
        return _jinja_keys(keys, ctor)
    if isinstance(existing, str):
        m = _TEMPLATE.match(existing)
        if m and "{{" not in m.group(1) and "}}" not in m.group(1):
            return "(" + m.group(1).strip() + ")"
    return None


def safe_relpath(name: Any) -> str | None:
    """A node file name as a safe relative POSIX path inside the component folder, or None."""
    if not isinstance(name, str) or not name or "\\" in name or _WINDOWS_BAD.search(name.replace("/", "")):
        return None
    path = PurePosixPath(name)
    if path.is_absolute():
        return None
    parts = path.parts
    if not parts:
        return None
    for part in parts:
        if part in ("", ".", "..") or part.endswith((" ", ".")) or \
                part.split(".")[0].lower() in naming._WINDOWS_RESERVED:
            return None
    return "/".join(parts)
