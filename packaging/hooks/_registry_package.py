"""Shared body of the hooks for component registry packages (not a hook itself: no ``hook-`` prefix)."""

from PyInstaller.utils.hooks import collect_data_files, collect_submodules


def _not_a_test(name: str) -> bool:
    parts = name.split(".")
    return not any(p in ("tests", "test", "conftest") or p.startswith("test_") for p in parts)


def collect_package(package: str):
    """Every submodule (registry modules are walked at runtime, components reference classes by name)
    and every data file (scaffolding templates, alembic migrations, ...) of ``package``."""
    hiddenimports = collect_submodules(package, filter=_not_a_test)
    datas = collect_data_files(package, excludes=["**/tests/**", "**/__pycache__/**"])
    return hiddenimports, datas
