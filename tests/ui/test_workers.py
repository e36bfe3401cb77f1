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
