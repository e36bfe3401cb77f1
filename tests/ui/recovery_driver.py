"""Drives the real app in its own process for tests/ui/test_recovery_kill.py (not a test module).

``edit N``: open the app, add N nodes, autosave, print AUTOSAVED, then wait to be killed.
``restore``: open the app, answer Yes to its own restore offer, print RESTORED <nodes>, wait to be killed.
"""

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    from PySide6.QtCore import QTimer

    from dagster_designer_qt.app import _application, create_main_window

    app = _application()
    window = create_main_window()
    window.prompts.ask_restore = lambda entry: True
    window.prompts.show_error = lambda title, message: print("ERROR", message, flush=True)
    mode = sys.argv[1]
    if mode == "edit":
        for i in range(int(sys.argv[2])):
            window.document.add_node("dagster.PythonScriptComponent", i * 300, 0, label=f"Step {i}")
        assert window.recovery.autosave()
        print("AUTOSAVED", flush=True)
    else:
        def report():
            if window.document.graph.node_count():
                print("RESTORED", window.document.graph.node_count(), flush=True)
            else:
                QTimer.singleShot(50, report)
        QTimer.singleShot(0, report)
    app.exec()


if __name__ == "__main__":
    main()
