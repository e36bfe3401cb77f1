"""Background work reports on the UI thread, and never into a widget that was closed meanwhile."""

import threading

from PySide6.QtCore import QObject

from dagster_designer_qt.ui.workers import run_in_background


class Receiver(QObject):
    def __init__(self):
        super().__init__()
        self.got = []

    def done(self, result, error):
        self.objectName()  # touches the C++ object, as a real panel would: fails once it is deleted
        self.got.append((result, error))


def test_result_arrives_on_the_ui_thread(qtbot):
    receiver = Receiver()
    seen_thread = []
    task = run_in_background(lambda x: x * 2, 21, on_done=lambda r, e: seen_thread.append(
        (r, e, threading.current_thread() is threading.main_thread())))
    qtbot.waitUntil(lambda: bool(seen_thread), timeout=5000)
    assert seen_thread == [(42, None, True)]
    task = run_in_background(lambda: 1 / 0, on_done=receiver.done)
    qtbot.waitUntil(lambda: bool(receiver.got), timeout=5000)
    assert isinstance(receiver.got[0][1], ZeroDivisionError)
    assert not task.is_running()


def test_result_for_a_deleted_receiver_is_dropped(qtbot):
    """What the panels rely on when a window closes during an export or a check: on_done is a method of
    a QObject, and Qt drops the queued result once that object is deleted."""
    gate = threading.Event()
    receiver = Receiver()
    task = run_in_background(gate.wait, 5, on_done=receiver.done)
    receiver.deleteLater()
    qtbot.wait(50)  # the receiver is gone (its C++ side deleted) before the work finishes
    gate.set()
    assert task.wait(5)
    qtbot.wait(100)  # the queued result is delivered now: it must not reach the deleted receiver
    assert receiver.got == []


def test_an_ended_threads_qobject_target_is_released_on_the_ui_thread(qtbot):
    """A worker's target is often a bound method of a parentless QObject (the ValidationRunner). Were its
    last reference dropped as the thread ends, Qt would destroy the QObject on the worker thread: it takes
    Qt's connection lock, then waits for the GIL, while the UI thread holds the GIL and waits for that lock
    in a connect() (a deadlock seen while closing windows). The UI thread drops it instead."""
    import gc
    import weakref

    from PySide6.QtCore import QObject

    from dagster_designer_qt.ui import workers

    class Owner(QObject):
        def work(self) -> None:
            pass

    owner = Owner()
    ref = weakref.ref(owner)
    thread = workers.start_thread(owner.work, "test-owner", await_at_quit=False)
    del owner
    thread.join(10)
    assert not thread.is_alive()
    gc.collect()
    assert ref() is not None  # the ended thread did not take it with it
    workers.drop_ended()  # the UI thread (here: the test's main thread)
    gc.collect()
    assert ref() is None
