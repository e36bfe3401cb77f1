"""Naming rules for exported projects: the Python package name and the component folder slugs. Pure.

Every name produced here is a plain ASCII identifier (``[a-z_][a-z0-9_]*``), so it is safe as a folder name
on every OS, as a Python module name, as a Dagster op name and inside a Jinja template.
"""

from __future__ import annotations

import keyword
import re
import sys
import unicodedata
from typing import Iterable

MAX_SLUG = 48

# Top-level modules an exported project's package must not shadow: the standard library, Dagster and its
# integrations, and the libraries they import. A package named like one of them would be imported instead
# of (or by) the real module and break the project.
_THIRD_PARTY = {
    "dagster", "dagster_pipes", "dagster_shared", "dagster_dg_cli", "dagster_dg_core", "dagster_dbt",
    "dagster_sling", "dagster_fivetran", "dagster_webserver", "dagster_graphql", "dagster_cloud",
    "dagster_cloud_cli", "dagster_designer_qt", "create_dagster", "dbt", "sling", "pydantic",
    "pydantic_core", "yaml", "tomlkit", "jinja2", "sqlalchemy", "alembic", "grpc", "google", "requests",
    "urllib3", "click", "typing_extensions", "packaging", "setuptools", "pkg_resources", "pip", "wheel",
    "hatchling", "pytest", "duckdb", "pandas", "numpy", "attrs", "attr", "rich", "toposort", "watchdog",
    "psutil", "filelock", "tqdm", "docstring_parser", "coloredlogs", "croniter", "dateutil", "pytz",
    "tzdata", "structlog", "protobuf", "universal_pathlib", "upath", "fsspec", "agate", "mashumaro",
    "networkx", "jsonschema", "sqlglot", "orjson", "six", "certifi", "idna", "charset_normalizer",
    "markupsafe", "tabulate", "antlr4", "gql", "graphene", "starlette", "uvicorn", "websockets",
    "PySide6", "shiboken6", "pygit2", "platformdirs", "test", "tests", "src", "defs", "components",
    "definitions", "conftest",
}
_RESERVED_MODULES = frozenset(m.lower() for m in (set(sys.stdlib_module_names) | _THIRD_PARTY))

# Names Windows refuses as file or folder names, whatever the extension.
_WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul", "clock$", "conin$", "conout$"]
    + [f"com{i}" for i in range(10)] + [f"lpt{i}" for i in range(10)]
    + ["com¹", "com²", "com³", "lpt¹", "lpt²", "lpt³"]
)

_NON_IDENT = re.compile(r"[^a-z0-9]+")


def _ascii_words(text: str) -> str:
    """Lower-case ASCII letters and digits joined by single underscores ('' when nothing is left)."""
    folded = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode("ascii")
    return _NON_IDENT.sub("_", folded.lower()).strip("_")


def package_name(project_name: str) -> str:
    """A valid Python identifier for the exported package that does not shadow an importable module."""
    name = _ascii_words(project_name) or "dagster_project"
    if name[0].isdigit():
        name = "project_" + name
    name = name[:MAX_SLUG].rstrip("_")
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in _RESERVED_MODULES or (
        name.startswith("dagster_") and name.split("_")[1] in {"pipes", "shared", "dbt", "sling",
                                                               "fivetran", "webserver", "graphql",
                                                               "cloud", "dg", "designer"}
    ):
        name = f"{name}_project"
    return name


def distribution_name(project_name: str) -> str:
    """The ``[project] name`` of the exported pyproject (the package name with dashes)."""
    return package_name(project_name).replace("_", "-")


def slug(label: str, fallback: str = "component") -> str:
    """One label's folder slug before de-duplication."""
    name = _ascii_words(label) or fallback
    if name[0].isdigit():
        name = "c_" + name
    name = name[:MAX_SLUG].rstrip("_") or fallback
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in _WINDOWS_RESERVED or \
            name in {"definitions", "components", "__init__"}:
        name = f"{name}_"
    return name


def unique_slugs(labels: Iterable[str], fallback: str = "component", taken: Iterable[str] = ()) -> list[str]:
    """Folder slugs for the labels, in order, distinct from each other and from ``taken`` even on
    case-insensitive file systems ("Transform" and "transform" become ``transform`` and ``transform_2``)."""
    used = {t.lower() for t in taken}
    out: list[str] = []
    for label in labels:
        base = slug(label, fallback)
        candidate = base
        n = 2
        while candidate.lower() in used:
            candidate = f"{base}_{n}"
            n += 1
        used.add(candidate.lower())
        out.append(candidate)
    return out


def unique_names(bases: Iterable[str], taken: Iterable[str] = ()) -> list[str]:
    """Like :func:`unique_slugs` for names that are already identifiers (e.g. op names); case-sensitive."""
    used = set(taken)
    out: list[str] = []
    for base in bases:
        candidate = base
        n = 2
        while candidate in used:
            candidate = f"{base}_{n}"
            n += 1
        used.add(candidate)
        out.append(candidate)
    return out


# Names Dagster refuses for ops (dagster._core.definitions.utils.DISALLOWED_NAMES, python keywords).
_DAGSTER_DISALLOWED = frozenset({
    "context", "conf", "config", "meta", "arg_dict", "dict", "input_arg_dict", "output_arg_dict", "int",
    "str", "float", "bool", "input", "output", "type",
})


def op_name(folder_slug: str) -> str:
    """A valid Dagster op name based on a folder slug."""
    name = folder_slug.rstrip("_") or "component"
    if name in _DAGSTER_DISALLOWED or keyword.iskeyword(name) or name.startswith("__"):
        name = f"{name}_op"
    return name


# ------------------------------------------------------------------ labels people read
# How words that are acronyms or brand names are written in labels: field titles ("API Key"), component
# names ("dbt Cloud") and default node labels. The one place this rule lives.
_WORD_CASING = {
    "api": "API", "cli": "CLI", "sql": "SQL", "dbt": "dbt", "url": "URL", "urls": "URLs", "uri": "URI",
    "id": "ID", "ids": "IDs", "json": "JSON", "yaml": "YAML", "csv": "CSV", "http": "HTTP", "https": "HTTPS",
    "ssl": "SSL", "ssh": "SSH", "db": "DB", "io": "IO", "uv": "uv", "sqlite": "SQLite", "duckdb": "DuckDB",
    "adhoc": "Ad hoc", "env": "Env", "s3": "S3", "gcs": "GCS", "aws": "AWS", "gcp": "GCP",
}
_SMALL_WORDS = {"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "per", "the", "to"}
_SPLIT_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def human_words(name: str) -> list[str]:
    """``cli_args`` / ``CliArgs`` / ``templated-sql`` -> words, with acronyms cased (``CLI``, ``Args``)."""
    words = [w for w in re.split(r"[\s_\-.]+", _SPLIT_CAMEL.sub(" ", name or "")) if w]
    out: list[str] = []
    for i, word in enumerate(words):
        low = word.lower()
        if low in _WORD_CASING:
            out.append(_WORD_CASING[low])
        elif i > 0 and low in _SMALL_WORDS:
            out.append(low)
        elif word.isupper() and len(word) > 1:
            out.append(word)  # an acronym we don't know stays as written
        else:
            out.append(word[:1].upper() + word[1:])
    return out


def human_label(name: str) -> str:
    """A field or class name as a label: ``api_key`` -> ``API Key``, ``DbtProject`` -> ``dbt Project``."""
    return " ".join(human_words(name))


def component_display_name(name_or_type: str) -> str:
    """``dagster_dbt.DbtProjectComponent`` -> ``dbt Project`` (palette entries and default node labels)."""
    base = (name_or_type or "").rsplit(".", 1)[-1]
    if base.endswith("Component") and base != "Component":
        base = base[: -len("Component")]
    return human_label(base) or name_or_type
