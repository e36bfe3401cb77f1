"""A closed window releases everything it held, and quitting with work in flight ends cleanly.

In process: 20 windows opened and closed on a 2,000-node project leave no document, project, scene or
window behind (weak references) and no thread. Quits run the real app in a subprocess (``run_app``, the
same code as ``python -m dagster_designer_qt``) and check stderr and that every helper process is gone.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import textwrap
import threading
import time
import weakref
from pathlib import Path

import pytest
from gitutil import git_daemon, isolated_git_config  # noqa: F401 - fixtures
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication

from dagster_designer_qt.services.registry import ComponentRegistry

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "resources" / "examples" / "analytics.ddp.json"


@pytest.fixture(scope="module")
def cache_home(tmp_path_factory):
    """An XDG cache home holding the real component cache, built once for the module."""
    home = tmp_path_factory.mktemp("cache")
    ComponentRegistry(cache_dir=home / "dagster-designer").load()
    return home


@pytest.fixture(scope="module")
def big_project(tmp_path_factory):
    sys.path.insert(0, str(ROOT))
    try:
        from bench.bench_canvas import make_project_file
    finally:
        sys.path.remove(str(ROOT))
    return make_project_file(2000, tmp_path_factory.mktemp("big"))


@pytest.fixture
def context(cache_home):
    from dagster_designer_qt.ui import settings as ui_settings
    from dagster_designer_qt.ui.context import AppContext
    from dagster_designer_qt.ui.registry_model import RegistryModel

    registry = RegistryModel(ComponentRegistry(cache_dir=cache_home / "dagster-designer"))
    return AppContext(registry=registry, settings=ui_settings.open_settings())


def return_to_event_loop() -> None:
    """What the running app does after a slot returns: queued events, then deferred deletes."""
    QApplication.processEvents()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.mark.slow
def test_twenty_closed_windows_on_a_2000_node_project_leave_nothing_alive(qtbot, context, big_project):
    from dagster_designer_qt.app import create_main_window, open_window, windows
    from dagster_designer_qt.ui import workers

    # The window that stays open, as in a real session; its first validation pass imports Dagster.
    first = create_main_window(str(big_project), context=context)
    first.prompts.ask_save_changes = lambda name: "discard"
    qtbot.addWidget(first)
    assert context.registry.is_loaded()  # the warm cache: real component types
    first.validation.validate_now()
    qtbot.waitUntil(lambda: first.validation.is_idle() and bool(first.validation.problems()), timeout=120_000)
    threads_before = threading.active_count()
    workers_before = len(workers.running_threads())
    refs: list[tuple[str, weakref.ref]] = []
    for i in range(20):
        # Some windows are shown and painted, the others stay hidden to keep the test fast (a paint of
        # 2,000 nodes offscreen costs a second on a loaded machine); all are closed the same way.
        window = open_window(context, first.theme, str(big_project), show=i in (0, 9, 19))
        assert window.document.graph.node_count() == 2000
        return_to_event_loop()
        if i in (0, 19):
            window.validation.validate_now()  # a validation pass in flight while it closes
        refs += [("window", weakref.ref(window)), ("document", weakref.ref(window.document)),
                 ("project", weakref.ref(window.document.project)), ("scene", weakref.ref(window.scene)),
                 ("validation", weakref.ref(window.validation)), ("undo stack", weakref.ref(window.document.undo_stack))]
        window.document.undo_stack.setClean()
        assert window.close()
        assert window not in windows()
        del window
        return_to_event_loop()
    # Validation passes in flight end on their own; nothing else keeps a thread.
    qtbot.waitUntil(lambda: len(workers.running_threads()) <= workers_before, timeout=60_000)
    qtbot.waitUntil(lambda: threading.active_count() <= threads_before, timeout=10_000)
    return_to_event_loop()
    gc.collect()
    alive = sorted({name for name, ref in refs if ref() is not None})
    assert alive == []
    assert threading.active_count() == threads_before
    assert first.document.graph.node_count() == 2000 and windows() == [first]  # the open window is untouched


@pytest.mark.slow
def test_a_deleted_window_leaves_no_style_pixmaps_and_its_memory_is_given_back(qtbot, context):
    """Qt's style caches pixmaps under keys holding each widget's palette serial: a closed window's
    entries could never be used again and used to stay (~28 KiB per window) until the 10 MiB cache limit.
    Once a window is deleted, the app empties QPixmapCache and trims the C heap (ui/memory.py)."""
    from PySide6.QtGui import QPixmap, QPixmapCache

    from dagster_designer_qt.app import create_main_window
    from dagster_designer_qt.ui import memory

    window = create_main_window(context=context)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: not memory.is_pending(), timeout=20_000)  # an earlier test's closed windows
    probe = QPixmap(8, 8)
    assert QPixmapCache.insert("lifetime-probe", probe)
    destroyed = []
    window.destroyed.connect(lambda: destroyed.append(True))
    assert window.close()
    assert QPixmapCache.find("lifetime-probe") is not None  # nothing happens before the window is gone
    del window
    qtbot.waitUntil(lambda: bool(destroyed), timeout=10_000)
    qtbot.waitUntil(lambda: QPixmapCache.find("lifetime-probe") is None, timeout=20_000)
    assert not memory.is_pending()


def test_a_closed_window_is_released_while_another_window_keeps_its_validation_thread(qtbot, context,
                                                                                      monkeypatch):
    """The release after a closed window waits for that window's threads only: it used to wait for every
    thread nobody awaits, so while a second window was open (its validation thread runs until it closes)
    each release waited the whole MAX_WAIT_S."""
    import shiboken6

    from dagster_designer_qt.app import create_main_window, open_window
    from dagster_designer_qt.ui import memory

    monkeypatch.setattr(memory, "MAX_WAIT_S", 600.0)  # a release held by the open window would never come
    first = create_main_window(context=context)
    first.show()
    qtbot.waitUntil(lambda: not memory.is_pending(), timeout=30_000)  # an earlier test's closed windows
    second = open_window(context, first.theme, None)
    second_thread = second.validation._thread
    runner = second.validation
    destroyed = []
    second.destroyed.connect(lambda: destroyed.append(True))
    second.document.undo_stack.setClean()
    assert second.close()
    del second
    qtbot.waitUntil(lambda: bool(destroyed), timeout=10_000)
    # The runner is the window's child: Qt deletes it with the window, on this thread. Without a parent it
    # lived as long as any Python reference (here: ours; in the app, its own worker thread's) and could be
    # destroyed by whichever thread dropped the last one.
    assert not shiboken6.isValid(runner)
    del runner
    qtbot.waitUntil(lambda: not second_thread.is_alive(), timeout=30_000)
    qtbot.waitUntil(lambda: not memory.is_pending(), timeout=30_000)
    assert first.validation._thread.is_alive()  # the open window's thread ran on and was not waited for
    first.document.undo_stack.setClean()
    first.close()


def test_a_window_deleted_before_the_event_loop_runs_raises_nothing(qtbot, context, capfd):
    """create_main_window queues a fit and a recovery offer; deleting the window first must drop them
    (it used to print "GraphView already deleted")."""
    import shiboken6

    from dagster_designer_qt.app import create_main_window

    window = create_main_window(context=context)
    window.close()
    shiboken6.delete(window)  # gone at once, before any queued event runs
    qtbot.wait(50)  # the queued single-shots would run here
    assert "already deleted" not in capfd.readouterr().err


def test_a_closed_window_stops_its_dagster_check_helper(qtbot, context):
    """Loading a project with Dagster can take minutes: a window closed meanwhile stops the helper."""
    from dagster_designer_qt.app import create_main_window
    from dagster_designer_qt.services import helper_process

    window = create_main_window(str(EXAMPLE), context=context)
    window.prompts.ask_save_changes = lambda name: "discard"
    assert window.dagster_check.start()
    qtbot.waitUntil(lambda: bool(helper_process.running()), timeout=30_000)
    pids = helper_process.running()
    task = window.dagster_check._task
    assert window.close()
    assert task.wait(15)  # the worker ends once its helper is stopped
    assert helper_process.running() == []
    assert all(not _alive(pid) for pid in pids)


# ---------------------------------------------------------------------------------------------- quits
DRIVER = textwrap.dedent(r"""
    import json, sys, time
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from dagster_designer_qt import app as app_module
    from dagster_designer_qt.services import helper_process

    kind, project, extra = sys.argv[1], sys.argv[2], sys.argv[3]
    qapp = app_module._application()
    seen = {"helpers": [], "in_flight": False}

    def window():
        return app_module.windows()[0]

    def poll(condition, then, deadline=time.monotonic() + 120):
        if condition() or time.monotonic() > deadline:
            then()
        else:
            QTimer.singleShot(20, lambda: poll(condition, then, deadline))

    def quit_now(in_flight):
        seen["helpers"] = helper_process.running()
        seen["in_flight"] = bool(in_flight())
        for w in app_module.windows():
            w.prompts.ask_save_changes = lambda name: "discard"
        window().actions.quit.trigger()  # File > Quit

    def start():
        w = window()
        registry = w.context.registry
        if kind == "registry":
            poll(lambda: helper_process.running(), lambda: quit_now(registry.is_loading))
            return
        if not registry.is_loaded():
            QTimer.singleShot(20, start)
            return
        if kind == "validation":
            w.validation.validate_now()
            quit_now(lambda: not w.validation.is_idle())
        elif kind == "preview":
            w.preview_dock.show(); w.preview_dock.raise_()
            w.preview_panel.refresh()
            quit_now(lambda: w.preview_panel._running is not None and w.preview_panel._running.is_running())
        elif kind == "check":
            w.dagster_check.start()
            poll(lambda: helper_process.running(), lambda: quit_now(w.dagster_check.is_running))
        elif kind == "export":
            w.files.export_folder(extra)
            quit_now(w.files.is_exporting)
        elif kind == "git":
            w.open_git_dialog()
            dialog = w._git_dialog
            dialog.repo_edit.setText(extra)
            dialog.open_working_copy()
            def export():
                dialog.export()
                quit_now(dialog.runner.is_busy)
            poll(lambda: not dialog.runner.is_busy(), export)
        elif kind == "clone":
            import os
            url, dest, stalled = extra.split("|", 2)
            w.open_git_dialog()
            dialog = w._git_dialog
            dialog.clone_url_edit.setText(url)
            dialog.repo_edit.setText(dest)
            dialog.clone()
            parent, name = os.path.split(dest)
            staged = lambda: any(n.startswith("." + name + ".cloning-") for n in os.listdir(parent))
            poll(lambda: os.path.exists(stalled) and staged(), lambda: quit_now(dialog.runner.is_busy))

    QTimer.singleShot(0, start)
    code = app_module.run_app(project)
    print("@@" + json.dumps(seen), flush=True)
    sys.exit(code)
""")


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def run_quit(kind: str, project: Path, extra: str, home: Path, cache_home: Path,
             timeout: float = 240) -> tuple[dict, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(home), XDG_CONFIG_HOME=str(home / "config"),
               XDG_DATA_HOME=str(home / "data"), XDG_CACHE_HOME=str(cache_home))
    proc = subprocess.run([sys.executable, "-c", DRIVER, kind, str(project), extra], env=env,
                          capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("@@"))
    return json.loads(line[2:]), proc.stderr


def assert_clean(stderr: str) -> None:
    for bad in ("Traceback", "Error", "already deleted", "Signal source"):
        assert bad not in stderr, stderr[-3000:]


@pytest.mark.parametrize("kind", ["validation", "preview", "check", "export"])
def test_quit_during_background_work_is_clean(kind, tmp_path, cache_home, big_project):
    project = EXAMPLE if kind == "check" else big_project
    out = tmp_path / "export"
    seen, stderr = run_quit(kind, project, str(out), tmp_path / "home", cache_home)
    assert seen["in_flight"], f"the {kind} had already finished when the app quit"
    assert_clean(stderr)
    assert all(not _alive(pid) for pid in seen["helpers"])
    if kind == "check":
        assert seen["helpers"], "the Dagster helper process never started"
    if kind == "export":  # the quit waited for the export: every component is there
        assert (out / "pyproject.toml").is_file()
        defs = [p for p in out.rglob("defs.yaml")]
        assert len(defs) == 2000


def test_quit_during_git_export_is_clean(tmp_path, cache_home):
    """The git job is waited for (it writes into the user's working copy), then the app ends."""
    import pygit2

    repo = tmp_path / "wc"
    pygit2.init_repository(str(repo))
    seen, stderr = run_quit("git", EXAMPLE, str(repo), tmp_path / "home", cache_home)
    assert seen["in_flight"], "the git export had already finished when the app quit"
    assert_clean(stderr)
    assert (repo / "pyproject.toml").is_file()  # the export finished before the app ended


def test_quit_during_a_cold_registry_rebuild_stops_the_helper(tmp_path, big_project):
    """Decided: a quit stops the rebuild instead of waiting for Dagster's imports; the cache, written
    atomically, is simply absent and the next start rebuilds it."""
    cold = tmp_path / "cold-cache"
    seen, stderr = run_quit("registry", EXAMPLE, "", tmp_path / "home", cold)
    assert seen["in_flight"] and seen["helpers"], "the registry helper never ran"
    assert_clean(stderr)
    assert all(not _alive(pid) for pid in seen["helpers"])
    cache_files = list(cold.rglob("components-*.json"))
    assert cache_files == []  # not half-written: not written at all


def test_a_window_still_open_at_quit_keeps_its_unsaved_work_for_the_next_start(qtbot, context):
    """A quit that never closed the window asked nobody about saving: the work is autosaved, not lost."""
    from dagster_designer_qt.app import create_main_window, windows
    from dagster_designer_qt.ui.recovery import find_orphans

    window = create_main_window(context=context)
    window.document.add_node("dagster.FunctionComponent", 0, 0, label="unsaved work")
    window.release(keep_recovery=True)
    assert window not in windows()
    [entry] = find_orphans()
    assert [n.label for n in entry.load().graph.iter_nodes()] == ["unsaved work"]


# ---------------------------------------------------------------------------------- git in flight
class SlowRelay:
    """A TCP relay on 127.0.0.1 in front of a git daemon that passes the server's bytes on slowly (a slow
    network): a clone through it runs for many seconds, with libgit2's progress callbacks firing. With
    ``stall_after`` it stops passing the server's bytes on after that many (a server gone quiet: libgit2
    then sits in a socket read, and no callback fires) until ``close``."""

    def __init__(self, upstream_port: int, chunk: int = 4096, pause: float = 0.05, stall_after: int = 0,
                 stall_flag: Path | None = None):
        import socket

        self._upstream, self._chunk, self._pause, self._stall_after = upstream_port, chunk, pause, stall_after
        self._stall_flag = stall_flag
        self.sent = 0
        self.stalled = threading.Event()
        self._closed = threading.Event()
        self._conns: list = []
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen()
        self.port = self._sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import socket

        while not self._closed.is_set():
            try:
                client, _ = self._sock.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self._upstream))
            self._conns += [client, server]
            threading.Thread(target=self._pump, args=(client, server, 0.0), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, self._pause), daemon=True).start()

    def _pump(self, src, dst, pause: float) -> None:
        try:
            while not self._closed.is_set():
                if pause and self._stall_after and self.sent >= self._stall_after:
                    self.stalled.set()
                    if self._stall_flag is not None:
                        self._stall_flag.touch()
                    self._closed.wait()
                    break
                data = src.recv(self._chunk)
                if not data:
                    break
                dst.sendall(data)
                if pause:
                    self.sent += len(data)
                    time.sleep(pause)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.close()
                except OSError:
                    pass

    def close(self) -> None:
        import socket

        self._closed.set()
        self._sock.close()
        for conn in self._conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


@pytest.fixture
def big_remote(tmp_path, git_daemon):
    """A repository served by a real ``git daemon`` whose pack is ~1.5 MB of incompressible data."""
    from gitutil import make_bare

    files = {f"data/{i:03}.txt": os.urandom(12_000).hex() for i in range(64)}
    make_bare(git_daemon.root / "big.git", files=files)
    return git_daemon


def test_closing_a_window_during_a_slow_clone_cancels_it(qtbot, context, tmp_path, big_remote,
                                                       isolated_git_config, capfd):
    """The window's release cancels the git job at libgit2's next progress callback: it neither waits for
    the clone to finish nor leaves a half-cloned folder, and the worker thread is gone."""
    from dagster_designer_qt.app import create_main_window

    relay = SlowRelay(big_remote.port)  # ~80 KiB/s: the whole pack would take ~20 s
    try:
        window = create_main_window(context=context)
        window.prompts.ask_save_changes = lambda name: "discard"
        window.open_git_dialog()
        dialog = window._git_dialog
        runner = dialog.runner
        dest = tmp_path / "wc"
        progress: list[tuple[int, int]] = []
        runner.progress.connect(lambda done, total, _text: progress.append((done, total)))
        dialog.clone_url_edit.setText(f"git://127.0.0.1:{relay.port}/big.git")
        dialog.repo_edit.setText(str(dest))
        dialog.clone()
        qtbot.waitUntil(lambda: any(done > 0 for done, _ in progress), timeout=60_000)  # objects arriving
        assert window.close()
        # release() returned: the job is over, cancelled mid-transfer rather than waited for.
        assert runner.wait(0)
        assert not dest.exists()
        assert progress[-1][0] < progress[-1][1]
        sent = relay.sent
        return_to_event_loop()
        assert relay.sent == sent  # nothing more is transferred after the window closed
    finally:
        relay.close()
    err = capfd.readouterr().err
    assert "Traceback" not in err and "RuntimeError" not in err, err


def test_closing_a_window_whose_clone_server_went_quiet_does_not_wait_for_it(qtbot, context, tmp_path, big_remote,
                                                                           isolated_git_config, capfd):
    """A clone stuck in a socket read (no libgit2 callback fires, so the cancel flag is not seen) is given
    a short grace, then left to end on its own: the window closes, the half-cloned folder is removed, the
    app's quit would not wait for the thread. The user then clones again into the same folder; when the
    abandoned clone's read finally fails, its clean-up (ours and libgit2's) leaves that new clone alone."""
    from gitutil import make_bare

    from dagster_designer_qt.app import create_main_window
    from dagster_designer_qt.services import git_service
    from dagster_designer_qt.ui import workers

    relay = SlowRelay(big_remote.port, pause=0.01, stall_after=200_000)
    try:
        window = create_main_window(context=context)
        window.prompts.ask_save_changes = lambda name: "discard"
        window.open_git_dialog()
        dialog = window._git_dialog
        dest = tmp_path / "wc"
        dialog.clone_url_edit.setText(f"git://127.0.0.1:{relay.port}/big.git")
        dialog.repo_edit.setText(str(dest))
        dialog.clone()
        thread = dialog.runner._thread
        assert relay.stalled.wait(60)
        staged = lambda: [p for p in tmp_path.iterdir() if p.name.startswith(".wc.cloning-")]  # noqa: E731
        qtbot.waitUntil(lambda: bool(staged()) and any(staged()[0].iterdir()), timeout=10_000)  # writing
        assert not dest.exists()  # the clone goes into place only once complete
        assert window.close()
        assert thread.is_alive()  # still in its socket read...
        assert thread not in workers.running_threads(awaited_only=True)  # ...but a quit would not wait
        assert not dest.exists() and staged() == []
        # The user clones again into the same folder (a real local repository) while the old job still hangs.
        again = make_bare(tmp_path / "again.git", files={"README.md": "cloned again\n"})
        git_service.clone(str(again), dest)
        assert (dest / "README.md").read_text() == "cloned again\n"
    finally:
        relay.close()  # the connection drops; libgit2's read fails (or times out) and the job ends
    thread.join(60)
    assert not thread.is_alive()
    return_to_event_loop()
    assert (dest / "README.md").read_text() == "cloned again\n"  # the abandoned clone's failure left it
    assert git_service.open_repo(dest).raw.head.shorthand == "main" and staged() == []
    err = capfd.readouterr().err
    assert "Traceback" not in err and "RuntimeError" not in err, err


def test_quit_during_a_clone_from_a_silent_server_ends_the_app(tmp_path, cache_home, big_remote):
    """File > Quit while a clone waits on a server that stopped sending: the app ends after the short
    grace (libgit2 alone would wait 120 s: the subprocess timeout of 90 s would fail), with no traceback
    and no half-cloned folder."""
    flag = tmp_path / "stalled"
    relay = SlowRelay(big_remote.port, pause=0.01, stall_after=200_000, stall_flag=flag)
    dest = tmp_path / "wc"
    try:
        seen, stderr = run_quit("clone", EXAMPLE, f"git://127.0.0.1:{relay.port}/big.git|{dest}|{flag}",
                                tmp_path / "home", cache_home, timeout=90)
        assert relay.stalled.is_set()
    finally:
        relay.close()
    assert seen["in_flight"], "the clone had already ended when the app quit"
    assert_clean(stderr)
    assert not dest.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".wc.")] == []  # nor its staging folder


def test_a_collected_document_with_undo_steps_does_not_crash_the_garbage_collector(qapp):
    """A ProjectDocument is always in a reference cycle (its graph's signals hold its bound methods), so a
    document without a parent window is freed by the garbage collector. PySide6 keeps a pushed command's
    wrapper as a child of the undo stack's; the collector's clear of that wrapper hands the command back to
    Python, which deletes it while the stack still lists it, and the stack's destructor then deleted it
    again: a segfault inside ``gc.collect()`` (seen in the suite, in the app's forced collection after a
    closed window). The command is made first so that the collector clears it before the document."""
    from dagster_designer_qt.commands.graph_commands import EditCommand
    from dagster_designer_qt.ui.document import ProjectDocument

    gc.collect()
    gc.disable()  # no collection in between: the objects below are cleared in the order they were made
    try:
        for _ in range(3):
            command = EditCommand("an undo step", [])
            document = ProjectDocument()
            document.undo_stack.push(command)
            document.add_node("dagster.PythonScriptComponent", 0, 0, label="Extract")
            probe = weakref.ref(document)
            del command, document
            assert probe() is not None  # only the collector can free it
            gc.collect()
            assert probe() is None
    finally:
        gc.enable()
