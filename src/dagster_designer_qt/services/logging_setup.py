"""Logging to a rotating file in the app's data folder, so unexpected errors keep their tracebacks.

``<user data dir>/dagster-designer/logs/dagster-designer.log`` (1 MB, 3 old files kept). Help > Show Log
File points there. ``setup_logging`` is idempotent and also logs uncaught exceptions (main thread and
worker threads) before the previous hooks run. No Qt.
"""

from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path

LOGGER_NAME = "dagster_designer_qt"
MAX_BYTES = 1024 * 1024
BACKUPS = 3
_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"
_installed: dict[str, object] = {}


def log_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("dagster-designer", appauthor=False)) / "logs"


def log_file() -> Path:
    return log_dir() / "dagster-designer.log"


def setup_logging(level: int = logging.INFO) -> Path:
    """Attach the rotating file handler (once) and the uncaught-exception hooks; returns the log file.
    A log folder that cannot be created leaves logging off rather than stopping the app."""
    path = log_file()
    if _installed.get("path") == path:
        return path
    logger = logging.getLogger(LOGGER_NAME)
    old = _installed.get("handler")
    if isinstance(old, logging.Handler):
        logger.removeHandler(old)
        old.close()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingLog(path)
    except OSError:
        return path
    handler.setFormatter(logging.Formatter(_FORMAT))
    logger.addHandler(handler)
    logger.setLevel(level)
    _installed.update(path=path, handler=handler)
    _install_hooks(logger)
    return path


class RotatingLog(logging.Handler):
    """The standard RotatingFileHandler, made when the first record comes: a start that logs nothing does
    not import ``logging.handlers`` (with socket, pickle and queue: tens of ms of a start, issue 13)."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self._file: logging.Handler | None = None

    def emit(self, record: logging.LogRecord) -> None:  # under this handler's lock (Handler.handle)
        if self._file is None:
            import logging.handlers

            self._file = logging.handlers.RotatingFileHandler(self.path, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                                              encoding="utf-8", delay=True)
            self._file.setFormatter(self.formatter)
        self._file.emit(record)

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        super().close()


def _install_hooks(logger: logging.Logger) -> None:
    if _installed.get("hooks"):
        return
    previous_hook, previous_thread_hook = sys.excepthook, threading.excepthook

    def excepthook(exc_type, exc, tb):
        if not issubclass(exc_type, KeyboardInterrupt):
            logger.critical("uncaught exception", exc_info=(exc_type, exc, tb))
        previous_hook(exc_type, exc, tb)

    def thread_hook(args):
        if args.exc_type is not SystemExit:
            logger.critical("uncaught exception in thread %s", getattr(args.thread, "name", "?"),
                            exc_info=(args.exc_type, args.exc_value, args.exc_traceback))
        previous_thread_hook(args)

    sys.excepthook = excepthook
    threading.excepthook = thread_hook
    _installed["hooks"] = True
