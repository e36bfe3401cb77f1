"""PyInstaller hook for dagster_dbt: a Dagster component registry package (see _registry_package.py)."""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from _registry_package import collect_package  # noqa: E402

hiddenimports, datas = collect_package("dagster_dbt")
