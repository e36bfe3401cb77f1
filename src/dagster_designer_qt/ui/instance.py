"""One running app per user, and files the operating system asks it to open.

* A launch first tries to hand its file to an app that already runs for this user (``hand_over``): it
  connects to that app's ``QLocalServer``, sends one JSON line ``{"open": "/abs/path" | null}`` and waits
  for ``ok``. The running app (``InstanceServer``) opens the file in a new window (an empty one for null)
  and the second launch exits. When nothing answers, the launch becomes the running app itself.
* macOS sends a ``QFileOpenEvent`` to the application when a file is opened from Finder or dropped on the
  Dock icon; ``FileOpenFilter`` opens it the same way.

The server name is per user and per settings folder (so two users, or tests with their own settings,
never meet); the socket accepts only the same user (``UserAccessOption``).
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import sys
from typing import Callable

from PySide6.QtCore import QEvent, QObject, QStandardPaths
from PySide6.QtNetwork import QLocalServer, QLocalSocket

OpenRequest = Callable[[str | None], None]
MAX_MESSAGE = 64 * 1024
HAND_OVER_TIMEOUT_MS = 5000


def server_name() -> str:
    try:
        user = getpass.getuser()
    except Exception:  # no user name (a container without passwd entry)
        user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    config = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericConfigLocation)
    digest = hashlib.sha256(f"{user}\0{config}".encode()).hexdigest()[:16]
    return f"dagster-designer-{digest}"


def hand_over(path: str | None, name: str | None = None, timeout_ms: int = HAND_OVER_TIMEOUT_MS) -> bool:
    """Ask the running app to open ``path`` (absolute; None: a new empty window). True if it said ok."""
    socket = QLocalSocket()
    socket.connectToServer(name or server_name())
    if not socket.waitForConnected(timeout_ms):
        return False
    socket.write(json.dumps({"open": path}).encode("utf-8") + b"\n")
    if not socket.waitForBytesWritten(timeout_ms):
        return False
    reply = b""
    while b"\n" not in reply and socket.waitForReadyRead(timeout_ms):
        reply += bytes(socket.readAll().data())
    socket.disconnectFromServer()
    return reply.startswith(b"ok")


class InstanceServer(QObject):
    """Listens for later launches and passes each one's file to ``open_request`` (on the GUI thread)."""

    def __init__(self, open_request: OpenRequest, name: str | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._open_request = open_request
        self.name = name or server_name()
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        self._buffers: dict[QLocalSocket, bytearray] = {}

    def listen(self) -> bool:
        if self._server.listen(self.name):
            return True
        # A socket left by an app that crashed: nobody answered hand_over, so it is stale.
        QLocalServer.removeServer(self.name)
        return self._server.listen(self.name)

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            self._buffers[socket] = bytearray()
            socket.readyRead.connect(self._read)
            socket.disconnected.connect(self._drop)

    def _drop(self) -> None:
        socket = self.sender()
        if socket is not None:
            self._buffers.pop(socket, None)
            socket.deleteLater()

    def _read(self) -> None:
        socket = self.sender()
        buffer = self._buffers.get(socket)
        if buffer is None:
            return
        buffer += bytes(socket.readAll().data())
        if len(buffer) > MAX_MESSAGE:
            socket.abort()
            return
        if b"\n" not in buffer:
            return
        del self._buffers[socket]
        try:
            message = json.loads(bytes(buffer).split(b"\n", 1)[0])
            path = message.get("open")
            if path is not None and not isinstance(path, str):
                raise ValueError("open must be a path or null")
        except (ValueError, AttributeError):
            socket.write(b"error\n")
            socket.disconnectFromServer()
            return
        socket.write(b"ok\n")
        socket.flush()
        socket.disconnectFromServer()
        self._open_request(path)


def has_file_open_events(platform: str = sys.platform) -> bool:
    """Whether the system sends QFileOpenEvent (Qt: "currently supported for macOS only"). Elsewhere the
    application-wide filter below would only cost a Python call for every event of every widget."""
    return platform == "darwin"


class FileOpenFilter(QObject):
    """Application event filter: a QFileOpenEvent (macOS Finder, Dock) opens its file."""

    def __init__(self, open_request: OpenRequest, parent: QObject | None = None):
        super().__init__(parent)
        self._open_request = open_request

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.FileOpen:
            path = event.file() or event.url().toLocalFile()
            if path:
                self._open_request(path)
                return True
        return False
