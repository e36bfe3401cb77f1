"""PyInstaller hook for sqlglot (imported by dagster_dbt at import time).

sqlglot wheels are compiled with mypyc: every ``x.cpython-*.so`` is a shim that imports ``x__mypyc`` by
name, which PyInstaller can't see; dialects are imported by name too. Collect every submodule.
"""

from PyInstaller.utils.hooks import collect_submodules

hiddenimports = collect_submodules("sqlglot", filter=lambda name: ".tests" not in name)
