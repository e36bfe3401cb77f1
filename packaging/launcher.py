"""Entry script of the PyInstaller bundle (packaging/dagster_designer.spec).

It does what ``python -m dagster_designer_qt`` does, plus two things only a frozen app needs:

* ``<bundle> -m dagster_designer_qt.<module> [ARGS...]`` runs that module as ``__main__``, like
  ``python -m``. Helper processes are started as ``[sys.executable, "-m", module, ...]`` (the component
  registry's ``dagster_designer_qt.services.registry_worker``); in a bundle ``sys.executable`` is the
  bundle itself, so this is what makes those helpers work frozen without changing their callers. Only
  modules of the ``dagster_designer_qt`` package are accepted.
* ``DAGSTER_DESIGNER_AUTOCLOSE_MS=N``: N milliseconds after the QApplication exists, print the visible
  top-level windows to stderr (``dagster-designer: autoclose: windows=[...]``) and close them all, so the
  app quits with its normal exit code. Used to check a bundle's GUI headless::

      QT_QPA_PLATFORM=offscreen DAGSTER_DESIGNER_AUTOCLOSE_MS=3000 dist/dagster-designer/dagster-designer

  If no window is visible yet it retries every 500 ms; it exits with 3 when no window appears within a
  minute or the windows don't close within 10 s. Without the variable nothing of this runs.

And one thing for every process it starts: the environment children inherit is the user's own, not the
bundle's (``clean_environment``). Programs that aren't the bundle (a user's Python or ``dbt``, ``git``,
``xdg-open`` and the browser it starts) must not load the bundle's libssl, libstdc++, Qt plugins or Python
modules:

* ``LD_LIBRARY_PATH``: some PyInstaller versions prepend the bundle's library folder and keep the user's
  value in ``LD_LIBRARY_PATH_ORIG``: the user's value comes back (or the variable goes when the user had
  none). Others (6.22) set neither: then only entries inside the bundle are dropped, so the user's own
  value is left exactly as it was. The running process is unaffected (the dynamic loader reads the variable
  at start-up only).
* ``QT_PLUGIN_PATH``, ``QML2_IMPORT_PATH`` (set by PyInstaller's PySide6 runtime hook) and ``PYTHONPATH``
  (the registry passes its ``sys.path`` to its helper): entries inside the bundle are dropped, the
  variable removed when nothing is left. The app itself finds its Qt plugins through
  ``QCoreApplication.addLibraryPath`` (app.py) instead.

Children that are the bundle itself get what they need again from their own bootloader and runtime hooks.
"""

from __future__ import annotations

import os
import sys
from typing import MutableMapping

OWN_PACKAGE = "dagster_designer_qt"
AUTOCLOSE_ENV = "DAGSTER_DESIGNER_AUTOCLOSE_MS"
PATH_LISTS = ("QT_PLUGIN_PATH", "QML2_IMPORT_PATH", "PYTHONPATH")


def _inside(entry: str, bundle_dir: str) -> bool:
    if not entry:
        return False
    entry = os.path.normcase(os.path.abspath(entry))
    root = os.path.normcase(os.path.abspath(bundle_dir))
    return entry == root or entry.startswith(root.rstrip(os.sep) + os.sep)


def _drop_bundle_entries(environ: MutableMapping[str, str], name: str, bundle_dir: str) -> None:
    value = environ.get(name)
    if value is None:
        return
    entries = value.split(os.pathsep)
    kept = [e for e in entries if not _inside(e, bundle_dir)]
    if len(kept) == len(entries):
        return  # the user's own value: leave it byte for byte
    if any(kept):
        environ[name] = os.pathsep.join(kept)
    else:
        del environ[name]


def clean_environment(environ: MutableMapping[str, str], bundle_dir: str) -> None:
    """Make ``environ`` (the process environment every child inherits) the user's own again."""
    original = environ.pop("LD_LIBRARY_PATH_ORIG", None)
    if original is not None:
        environ["LD_LIBRARY_PATH"] = original
    _drop_bundle_entries(environ, "LD_LIBRARY_PATH", bundle_dir)
    for name in PATH_LISTS:
        _drop_bundle_entries(environ, name, bundle_dir)


def _run_module(argv: list[str]) -> int:
    module = argv[2]
    if module != OWN_PACKAGE and not module.startswith(OWN_PACKAGE + "."):
        print(f"dagster-designer: error: -m accepts only {OWN_PACKAGE} modules, not {module!r}", file=sys.stderr)
        return 2
    import runpy

    sys.argv = [module, *argv[3:]]
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        code = exc.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code
        print(code, file=sys.stderr)
        return 1
    return 0


def _start_autoclose(delay_ms: int) -> None:
    """Watch (from a daemon thread) for the QApplication, then close its windows from the GUI thread.

    The watcher keeps asking the GUI thread (queued calls, every 500 ms) until a window was visible and
    got closed: a single call could be lost when it is posted while the QApplication is still being built.
    """
    import threading
    import time

    def fail(message: str) -> None:
        print(f"dagster-designer: autoclose: {message}", file=sys.stderr, flush=True)
        os._exit(3)

    def watch() -> None:
        while True:
            widgets = sys.modules.get("PySide6.QtWidgets")  # never import Qt for headless commands
            if widgets is not None and widgets.QApplication.instance() is not None:
                break
            time.sleep(0.05)
        time.sleep(delay_ms / 1000.0)
        from PySide6.QtCore import QMetaObject, QObject, Qt, Slot

        class Closer(QObject):
            closed = False

            @Slot()
            def fire(self) -> None:  # runs on the GUI thread
                from PySide6.QtWidgets import QApplication

                app = QApplication.instance()
                windows = [w for w in app.topLevelWidgets() if w.isVisible() and w.isWindow()]
                if self.closed or not windows:
                    return
                self.closed = True
                names = [f"{w.objectName() or type(w).__name__}:{w.windowTitle()}" for w in windows]
                print(f"dagster-designer: autoclose: windows={names}", file=sys.stderr, flush=True)
                app.closeAllWindows()

        closer = Closer()
        closer.moveToThread(widgets.QApplication.instance().thread())
        give_up = time.monotonic() + 60
        while not closer.closed:
            if time.monotonic() > give_up:
                fail("no window appeared within a minute")
            QMetaObject.invokeMethod(closer, "fire", Qt.ConnectionType.QueuedConnection)
            time.sleep(0.5)
        time.sleep(10)  # the app normally quits long before this
        fail("the windows did not close within 10 s")

    threading.Thread(target=watch, name="autoclose", daemon=True).start()


def _restore_user_environment() -> None:
    bundle_dir = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle_dir:
        # The bundle's top folder (the executable's), which holds _internal/ (sys._MEIPASS).
        clean_environment(os.environ, os.path.dirname(os.path.abspath(sys.executable)))
        clean_environment(os.environ, bundle_dir)


def main() -> int:
    import multiprocessing

    _restore_user_environment()

    multiprocessing.freeze_support()  # harmless unless a helper uses multiprocessing
    argv = list(sys.argv)
    if len(argv) >= 3 and argv[1] == "-m":
        return _run_module(argv)
    raw = os.environ.get(AUTOCLOSE_ENV, "").strip()
    if raw:
        try:
            _start_autoclose(max(0, int(raw)))
        except ValueError:
            print(f"dagster-designer: warning: ignoring {AUTOCLOSE_ENV}={raw!r} (not a number)", file=sys.stderr)
    from dagster_designer_qt.cli import main as cli_main

    return cli_main(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
