"""Shared by the canvas tests: a registry that knows no component type, and a scene with its view shown."""

from __future__ import annotations

from dagster_designer_qt.ui.canvas.scene import GraphScene
from dagster_designer_qt.ui.canvas.view import GraphView
from dagster_designer_qt.ui.document import ProjectDocument


class EmptyRegistry:
    """No type is known and the list is not loaded yet (nodes draw as their type's short name)."""

    def get(self, _t):
        return None

    def is_loaded(self):
        return False


def shown_canvas(qtbot, *, scene_class=GraphScene, registry=None, size=(900, 600)):
    """(document, scene, view): an empty document on a scene of ``scene_class``, its view shown."""
    document = ProjectDocument()
    scene = scene_class(document, registry if registry is not None else EmptyRegistry())
    view = GraphView(document, scene)
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    return document, scene, view
