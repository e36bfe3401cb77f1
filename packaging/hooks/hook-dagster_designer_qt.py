"""PyInstaller hook for the app itself: CLI subcommands and helper processes are imported by name
(``importlib.import_module(f"dagster_designer_qt.cli_commands.{name}")``, ``<bundle> -m ...``)."""

from PyInstaller.utils.hooks import collect_submodules

hiddenimports = collect_submodules("dagster_designer_qt")
