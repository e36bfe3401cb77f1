"""Property panel: the selected node's form (generated from its component's schema), project settings
when nothing is selected, and a summary when several nodes are.

Every user edit goes through the document (one undo command; typing in one field merges into one step via
a merge key per node + field path). Model changes (undo/redo, other panels) refresh the visible form under
a QSignalBlocker, so a refresh never creates a command. A form is built for one node id and only ever
writes to that node, so switching the selection can't leak values.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from dagster_designer_qt.core.attrs import env_var_name, format_path
from dagster_designer_qt.core.schema import UNSET, Field, parse_schema
from dagster_designer_qt.ui.theme import message_color

if TYPE_CHECKING:  # the form editors are imported when the first node's form is built, not at start
    from dagster_designer_qt.ui.forms.base import FormContext
    from dagster_designer_qt.ui.forms.containers import ObjectEditor
    from dagster_designer_qt.ui.forms.leaves import YamlEditor
    from dagster_designer_qt.ui.forms.row import FieldRow
    from dagster_designer_qt.ui.panels.files_editor import FilesEditor

NODE_SECTIONS = ("label", "attributes", "translation", "post_processing", "files")


def _section(parent: QWidget, title: str) -> QLabel:
    label = QLabel(title, parent)
    label.setObjectName("sectionTitle")
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    label.setContentsMargins(0, 8, 0, 2)
    return label


def _problem_parts(problem: Any) -> tuple[str, tuple, str, str]:
    """(section, path within it, message, severity) for a Problem whose path is into the attributes
    (a leading 'attributes' / 'post_processing' / 'files' / 'label' segment picks another section)."""
    path = tuple(getattr(problem, "path", ()) or ())
    section = "attributes"
    if path and path[0] in NODE_SECTIONS and path[0] != "attributes" and len(path) >= 1:
        section, path = path[0], path[1:]
    elif path and path[0] == "attributes":
        path = path[1:]
    return section, path, getattr(problem, "message", str(problem)), getattr(problem, "severity", "error")


def _show_meta(edit: QLineEdit, name: str, value: str) -> None:
    """A project setting's value in its field; a long description shows its start (and all of it as the
    tooltip), not its end."""
    edit.setText(value)
    if name == "description":
        edit.setCursorPosition(0)
        edit.setToolTip(value)


class PropertyPanel(QWidget):
    trust_requested = Signal()  # "Trust Project and Load Its Components…" on a node the project defines

    def __init__(self, document, context, validation, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("propertyPanel")
        self.setAccessibleName("Properties")
        self.document = document
        self.context = context
        self.validation = validation
        self.node_id: str | None = None
        self.mode = "project"  # "project" | "node" | "multi"
        self.form: ObjectEditor | None = None
        self.attributes_yaml: YamlEditor | None = None
        self.translation_row: FieldRow | None = None
        self.post_processing_row: FieldRow | None = None
        self.files_editor: FilesEditor | None = None
        self.label_edit: QLineEdit | None = None
        self.label_hint: QLabel | None = None
        self.node_problems: QLabel | None = None
        self.meta_edits: dict[str, QLineEdit] = {}
        self.python_status: QLabel | None = None  # the result of the interpreter Check (project mode)
        self.python_checked = None  # (setting, ResolvedPython | None, error | None) of the last Check
        self._graph = None
        self._project = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel(self)
        self.heading.setObjectName("propertyHeading")
        self.heading.setContentsMargins(6, 4, 6, 4)
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.heading.setFont(font)
        layout.addWidget(self.heading)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        # Forms fit the dock's width (long values scroll inside their own fields).
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        layout.addWidget(self.scroll, 1)
        self.content: QWidget | None = None

        document.selection_changed.connect(self._on_selection)
        document.project_replaced.connect(self._on_project_replaced)
        if validation is not None:
            validation.problems_changed.connect(self._on_problems)
        registry = getattr(context, "registry", None)
        if registry is not None and hasattr(registry, "components_loaded"):
            registry.components_loaded.connect(self._on_components_loaded)  # not a lambda: see main_window
        self._watch(document.project)
        self.rebuild()

    # ------------------------------------------------------------ plumbing
    def _on_components_loaded(self, *_args) -> None:
        self.rebuild()

    def _watch(self, project) -> None:
        if self._graph is not None:
            self._graph.node_changed.disconnect(self._on_node_changed)
            self._project.meta_changed.disconnect(self._on_meta_changed)
        self._project = project
        self._graph = project.graph
        self._graph.node_changed.connect(self._on_node_changed)
        project.meta_changed.connect(self._on_meta_changed)

    def _on_project_replaced(self, project) -> None:
        self._watch(project)
        if self.mode == "project" and self.meta_edits and not self.document.selection():
            self._show_project()  # the same form, the new project's values (no new widgets)
        else:
            self.rebuild()

    def _show_project(self) -> None:
        """Put the current project's values into the project form already shown."""
        project = self.document.project
        for name, edit in self.meta_edits.items():
            with QSignalBlocker(edit):  # also when equal: it clears the field's own undo history (the old project's)
                _show_meta(edit, name, getattr(project, name) or "")
        label = self.python_status
        if label is not None:
            label.clear()
            if label.styleSheet():
                label.setStyleSheet("")
            self._show_python_check()

    def _on_components_loaded(self, *_args) -> None:
        """Node forms follow the component list; the project form doesn't, and is not rebuilt (the list
        changes when the Python setting being typed there changes: the field keeps focus)."""
        if self.mode != "project":
            self.rebuild()

    def _on_selection(self, _ids: list) -> None:
        self.rebuild()

    def _post_processing_schema(self) -> dict:
        """From the registry (Dagster's own model, cached with the component list); an empty schema when
        unknown, which the form shows as a YAML editor."""
        registry = getattr(self.context, "registry", None)
        getter = getattr(registry, "post_processing_schema", None)
        schema = getter() if callable(getter) else None
        return schema if isinstance(schema, dict) else {}

    def _schema_for(self, component_type: str) -> dict | None:
        registry = getattr(self.context, "registry", None)
        info = registry.get(component_type) if registry is not None else None
        schema = getattr(info, "schema", None) if info is not None else None
        return schema if isinstance(schema, dict) and schema else None

    def _info(self, component_type: str):
        registry = getattr(self.context, "registry", None)
        return registry.get(component_type) if registry is not None else None

    def _awaiting_trust(self, component_type: str) -> bool:
        registry = getattr(self.context, "registry", None)
        check = getattr(registry, "awaiting_trust", None)
        return bool(check(component_type)) if callable(check) else False

    def _trust_note(self) -> QWidget:
        """A project-local type before the user trusts the project: what it is, and the one way on."""
        from PySide6.QtWidgets import QPushButton

        box = QFrame(self.content)
        box.setObjectName("trustNote")
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        text = QLabel("This component type is defined by this project. Its form comes from the project's "
                      "own Python code, which the designer runs only after you trust the project. Until "
                      "then its attributes are edited as YAML and kept as they are.", box)
        text.setWordWrap(True)
        column.addWidget(text)
        button = QPushButton("Trust Project and Load Its Components…", box)
        button.setObjectName("trustProjectButton")
        button.clicked.connect(self.trust_requested.emit)
        column.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
        return box

    def _form_context(self, component_type: str) -> FormContext:
        from dagster_designer_qt.ui.forms.base import FormContext

        def base_dir() -> Path | None:
            path = self.document.path
            return Path(path).parent if path else None

        return FormContext(base_dir=base_dir, component_type=component_type,
                           env_var_for=lambda path: env_var_name(component_type, path))

    # ------------------------------------------------------------- building
    def rebuild(self) -> None:
        old = self.content
        if old is not None:
            old.blockSignals(True)
            for editor in (self.form, self.translation_row, self.post_processing_row, self.attributes_yaml):
                if editor is not None:
                    editor.blockSignals(True)
        self.form = self.attributes_yaml = self.translation_row = self.post_processing_row = None
        self.python_status = None
        self.files_editor = None
        self.label_edit = self.label_hint = self.node_problems = None
        self.meta_edits = {}
        self.content = QWidget()
        self.content.setObjectName("propertyContent")
        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(6, 2, 6, 6)
        layout.setSpacing(2)
        selection = [i for i in self.document.selection() if self.document.graph.has_node(i)]
        if len(selection) == 1:
            self.mode = "node"
            self.node_id = selection[0]
            self._build_node(layout, self.document.graph.node(self.node_id))
        elif len(selection) > 1:
            self.mode = "multi"
            self.node_id = None
            self._build_multi(layout, selection)
        else:
            self.mode = "project"
            self.node_id = None
            self._build_project(layout)
        layout.addStretch(1)
        self.scroll.setWidget(self.content)  # deletes the old content
        if self.validation is not None and self.mode == "node":
            self._on_problems(self.validation.problems())

    def _build_project(self, layout: QVBoxLayout) -> None:
        self.heading.setText("Project")
        form = QFormLayout()
        project = self.document.project
        for name, title in (("name", "Name"), ("description", "Description"), ("git_repo", "Git repository"),
                            ("git_branch", "Git branch")):
            edit = QLineEdit(self.content)
            _show_meta(edit, name, getattr(project, name) or "")
            edit.setObjectName(f"project:{name}")
            edit.setAccessibleName(title)
            if name == "git_repo":
                edit.setPlaceholderText("https://github.com/org/repo.git or a local path")
            edit.textEdited.connect(lambda text, n=name: self._meta_edited(n, text))
            form.addRow(title, edit)
            self.meta_edits[name] = edit
        self._build_python_row(form)
        layout.addLayout(form)
        hint = QLabel("Select a node on the canvas to edit its properties.", self.content)
        hint.setStyleSheet("color: palette(placeholder-text);")
        hint.setWordWrap(True)
        layout.addWidget(hint)

    def _build_python_row(self, form: QFormLayout) -> None:
        """The project's Python interpreter: a path (typed, or picked with Browse; relative to the project
        file's folder), and Check, which says whether it exists, is Python and has a supported Dagster.
        Empty: the project folder's .venv, else the designer's own."""
        from PySide6.QtWidgets import QHBoxLayout, QPushButton

        row = QWidget(self.content)
        column = QVBoxLayout(row)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        box = QHBoxLayout()
        box.setContentsMargins(0, 0, 0, 0)
        edit = QLineEdit(self.document.project.python or "", row)
        edit.setObjectName("project:python")
        edit.setAccessibleName("Python interpreter")
        edit.setPlaceholderText("default: the project's .venv, else the designer's")
        edit.setToolTip("The Python whose environment provides this project's component types, validates "
                        "them and loads the project with Dagster")
        edit.textEdited.connect(lambda text: self._meta_edited("python", text))
        browse = QPushButton("Browse…", row)
        browse.setObjectName("pythonBrowse")
        browse.clicked.connect(self._browse_python)
        check = QPushButton("Check", row)
        check.setObjectName("pythonCheck")
        check.clicked.connect(self.check_python)
        column.addWidget(edit)
        box.addWidget(browse)
        box.addWidget(check)
        box.addStretch(1)
        column.addLayout(box)
        form.addRow("Python", row)
        self.meta_edits["python"] = edit
        self.python_status = QLabel(self.content)
        self.python_status.setObjectName("pythonStatus")
        self.python_status.setWordWrap(True)
        self.python_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("", self.python_status)
        self._show_python_check()

    def _project_folder(self) -> Path | None:
        path = self.document.path
        return Path(path).parent if path else None

    def _browse_python(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        folder = self._project_folder()
        picked, _ = QFileDialog.getOpenFileName(self, "Choose the project's Python interpreter",
                                                str(folder or Path.home()))
        if picked:
            self.set_python_path(picked)

    def set_python_path(self, picked: str) -> None:
        """Store a chosen interpreter (inside the project folder: relative, so the file can be shared) and
        check it."""
        folder = self._project_folder()
        value = picked
        if folder is not None:
            try:
                value = str(Path(picked).relative_to(folder))
            except ValueError:
                pass
        self._meta_edited("python", value)
        edit = self.meta_edits.get("python")
        if edit is not None:
            with QSignalBlocker(edit):
                edit.setText(value)
        self.check_python()

    def check_python(self) -> None:
        """Resolve the interpreter as the app will (off the UI thread) and say what it found."""
        from dagster_designer_qt.ui.project_python_controller import PythonResolver

        label = self.python_status
        label.setText("Checking…")
        label.setStyleSheet("")
        if getattr(self, "_python_resolver", None) is None:
            self._python_resolver = PythonResolver(self)
            self._python_resolver.finished.connect(self._python_check_done)
        self._python_resolver.start(self.document.project.python, self._project_folder(),
                                    token=self.document.project.python)

    def _python_check_done(self, checked, result, error) -> None:
        if checked != self.document.project.python:
            return  # the setting changed meanwhile: a newer check is coming
        self.python_checked = (checked, result, error)
        self._show_python_check()

    def _show_python_check(self) -> None:
        """The last Check's result, if it is about the current setting (kept across rebuilds)."""
        label = self.python_status
        if label is None or self.python_checked is None or self.python_checked[0] != self.document.project.python:
            return
        _checked, result, error = self.python_checked
        if error is not None or result.problem:
            label.setStyleSheet("color: #c0392b;")
            label.setText(str(error) if error is not None else result.problem)
        else:
            label.setStyleSheet("")
            label.setText(f"✓ {result.describe()}, Python {result.python_version}")

    def _meta_edited(self, name: str, text: str) -> None:
        value: Any = text
        if name in ("description", "git_repo", "python") and not text:
            value = None
        self.document.set_project_meta(name, value, merge_key=f"meta/{name}")

    def _build_multi(self, layout: QVBoxLayout, selection: list[str]) -> None:
        self.heading.setText(f"{len(selection)} nodes selected")
        by_type: dict[str, int] = {}
        for node_id in selection:
            node = self.document.graph.node(node_id)
            by_type[node.component_type] = by_type.get(node.component_type, 0) + 1
        summary = QLabel(self.content)
        summary.setObjectName("selectionSummary")
        summary.setWordWrap(True)
        lines = []
        for node_id in selection:
            node = self.document.graph.node(node_id)
            problems = self.validation.problems_for(node_id) if self.validation is not None else []
            errors = sum(1 for p in problems if getattr(p, "severity", "") == "error")
            warnings = len(problems) - errors
            flag = f"  — {errors} error(s), {warnings} warning(s)" if problems else ""
            lines.append(f"• <b>{_esc(node.label)}</b> <span style='color:gray'>"
                         f"{_esc(node.component_type.rsplit('.', 1)[-1])}</span>{flag}")
        types = ", ".join(f"{n}× {t.rsplit('.', 1)[-1]}" for t, n in by_type.items())
        summary.setText(f"<p>{types}</p>" + "<br>".join(lines))
        layout.addWidget(summary)

    def _build_node(self, layout: QVBoxLayout, node) -> None:
        from dagster_designer_qt.ui.forms.containers import ObjectEditor
        from dagster_designer_qt.ui.forms.leaves import YamlEditor
        from dagster_designer_qt.ui.forms.row import FieldRow
        from dagster_designer_qt.ui.panels.files_editor import FilesEditor

        info = self._info(node.component_type)
        self.heading.setText(node.label or node.component_type)
        form = QFormLayout()
        self.label_edit = QLineEdit(node.label, self.content)
        self.label_edit.setObjectName("nodeLabel")
        self.label_edit.setAccessibleName("Label")
        self.label_edit.textEdited.connect(self._label_edited)
        form.addRow("Label", self.label_edit)
        # A read-only line edit, not a label: a long dotted type name scrolls instead of widening the
        # whole panel (a label can't wrap a name without spaces).
        type_label = QLineEdit(node.component_type, self.content)
        type_label.setObjectName("nodeType")
        type_label.setReadOnly(True)
        type_label.setFrame(False)
        type_label.setToolTip(node.component_type)
        type_label.setCursorPosition(0)
        type_label.setStyleSheet("background: transparent;")
        form.addRow("Type", type_label)
        layout.addLayout(form)
        self.label_hint = QLabel(self.content)
        self.label_hint.setObjectName("labelHint")
        self.label_hint.setStyleSheet(f"color: {message_color('warning')};")
        self.label_hint.setWordWrap(True)
        layout.addWidget(self.label_hint)
        self._update_label_hint(node.label)
        self.node_problems = QLabel(self.content)
        self.node_problems.setObjectName("nodeProblems")
        self.node_problems.setStyleSheet(f"color: {message_color('error')};")
        self.node_problems.setWordWrap(True)
        self.node_problems.hide()
        layout.addWidget(self.node_problems)
        description = (getattr(info, "summary", "") or getattr(info, "description", "") or "").strip()
        if description:
            from dagster_designer_qt.core.component_text import rst_to_text

            full = rst_to_text(getattr(info, "description", "") or description)
            desc = QLabel(rst_to_text(description).split("\n\n")[0], self.content)
            desc.setTextFormat(Qt.TextFormat.PlainText)
            desc.setToolTip(full[:2000] if full else "")
            desc.setWordWrap(True)
            desc.setObjectName("componentDescription")
            font = desc.font()
            font.setItalic(True)
            desc.setFont(font)
            layout.addWidget(desc)

        layout.addWidget(_section(self.content, "Attributes"))
        schema = self._schema_for(node.component_type)
        ctx = self._form_context(node.component_type)
        node_id = node.id
        root: Field | None = None
        if schema is not None:
            root = parse_schema(schema)
        if root is not None and root.kind == "object":
            self.form = ObjectEditor(root, ctx, self.content, root=True)
            self.form.setObjectName("attributesForm")
            self.form.set_value(node.attributes)
            self.form.value_edited.connect(lambda p, m: self._attributes_edited(node_id, p, m))
            layout.addWidget(self.form)
        else:
            if self._awaiting_trust(node.component_type):
                layout.addWidget(self._trust_note())
            else:
                note = QLabel("This component type is not in the registry; its attributes are edited as YAML."
                              if schema is None else "The schema isn't an object; edit the attributes as YAML.",
                              self.content)
                note.setWordWrap(True)
                layout.addWidget(note)
            self.attributes_yaml = YamlEditor(Field(kind="yaml", name="attributes", title="Attributes"), ctx,
                                              self.content)
            self.attributes_yaml.setObjectName("attributesYaml")
            self.attributes_yaml.set_value(node.attributes or UNSET)
            self.attributes_yaml.value_edited.connect(lambda p, m: self._yaml_attributes_edited(node_id))
            layout.addWidget(self.attributes_yaml)

        # legacy node-level translation (older files keep it next to the attributes; export merges it)
        if node.translation is not None:
            layout.addWidget(_section(self.content, "Translation (node level)"))
            tfield = root.property("translation") if root is not None else None
            if tfield is None or tfield.kind not in ("object", "union"):
                tfield = Field(kind="yaml", name="translation", title="Translation")
            self.translation_row = FieldRow(tfield, ctx, self.content, label="Translation", path=("translation",),
                                            expanded=True)
            self.translation_row.set_value(node.translation)
            self.translation_row.value_edited.connect(
                lambda p, m: self._field_edited(node_id, "translation", self.translation_row, p, m))
            layout.addWidget(self.translation_row)

        layout.addWidget(_section(self.content, "Post-processing"))
        pp_field = parse_schema(self._post_processing_schema())
        self.post_processing_row = FieldRow(pp_field, ctx, self.content, label="Rules",
                                            path=("post_processing",), expanded=node.post_processing is not None)
        self.post_processing_row.setObjectName("field:post_processing")
        self.post_processing_row.set_value(node.post_processing if node.post_processing is not None else UNSET)
        self.post_processing_row.value_edited.connect(
            lambda p, m: self._field_edited(node_id, "post_processing", self.post_processing_row, p, m))
        layout.addWidget(self.post_processing_row)

        layout.addWidget(_section(self.content, "Files"))
        self.files_editor = FilesEditor(self, node_id, self.content)
        layout.addWidget(self.files_editor)

    # --------------------------------------------------------------- edits
    def _label_edited(self, text: str) -> None:
        if self.node_id is None:
            return
        self._update_label_hint(text)
        if text.strip():
            self.document.rename(self.node_id, text, merge_key=f"{self.node_id}/label")

    def _update_label_hint(self, text: str) -> None:
        if self.label_hint is None:
            return
        hint = ""
        if not text.strip():
            hint = "A node needs a label."
        else:
            taken = [n for n in self.document.graph.iter_nodes() if n.id != self.node_id and n.label == text]
            if taken:
                hint = (f"Another node is already called '{text}'; names must be unique in the export "
                        f"(e.g. {self.document.unique_label(text, exclude=self.node_id)}).")
        self.label_hint.setText(hint)
        self.label_hint.setVisible(bool(hint))

    def _attributes_edited(self, node_id: str, path: tuple, mergeable: bool) -> None:
        if not self.document.graph.has_node(node_id) or self.form is None:
            return
        value = self.form.value()
        key = f"{node_id}/attributes/{format_path(path)}" if mergeable else None
        self.document.set_attributes(node_id, value if isinstance(value, dict) else {}, merge_key=key)

    def _yaml_attributes_edited(self, node_id: str) -> None:
        value = self.attributes_yaml.value()
        if value is UNSET:
            value = {}
        if isinstance(value, dict) and self.document.graph.has_node(node_id):
            self.document.set_attributes(node_id, value, merge_key=f"{node_id}/attributes/yaml")

    def _field_edited(self, node_id: str, name: str, row: FieldRow, path: tuple, mergeable: bool) -> None:
        if not self.document.graph.has_node(node_id):
            return
        value = row.value()
        key = f"{node_id}/{name}/{format_path(path)}" if mergeable else None
        self.document.set_node_field(node_id, name, None if value is UNSET else value, merge_key=key)

    # ------------------------------------------------------------- refresh
    def _on_node_changed(self, node_id: str, name: str) -> None:
        if self.mode == "multi" and node_id in self.document.selection():
            self.rebuild()
            return
        if self.mode != "node" or node_id != self.node_id:
            return
        node = self.document.graph.node(node_id)
        if name == "component_type":
            self.rebuild()
        elif name == "label":
            self.heading.setText(node.label)
            if self.label_edit is not None and self.label_edit.text() != node.label:
                with QSignalBlocker(self.label_edit):
                    self.label_edit.setText(node.label)
            self._update_label_hint(node.label)
        elif name == "attributes":
            if self.form is not None:
                if self.form.value() != node.attributes:
                    with QSignalBlocker(self.form):
                        self.form.set_value(node.attributes)
            elif self.attributes_yaml is not None and self.attributes_yaml.value() != (node.attributes or UNSET):
                with QSignalBlocker(self.attributes_yaml):
                    self.attributes_yaml.set_value(node.attributes or UNSET)
        elif name == "translation":
            if (self.translation_row is None) != (node.translation is None):
                self.rebuild()
            elif self.translation_row is not None and self.translation_row.value() != node.translation:
                with QSignalBlocker(self.translation_row):
                    self.translation_row.set_value(node.translation)
        elif name == "post_processing" and self.post_processing_row is not None:
            current = self.post_processing_row.value()
            wanted = node.post_processing if node.post_processing is not None else UNSET
            if current != wanted:
                with QSignalBlocker(self.post_processing_row):
                    self.post_processing_row.set_value(wanted)
        elif name == "files" and self.files_editor is not None:
            self.files_editor.refresh()

    def _on_meta_changed(self, name: str) -> None:
        if self.mode != "project":
            return
        edit = self.meta_edits.get(name)
        value = getattr(self.document.project, name) or ""
        if edit is not None and edit.text() != value:
            with QSignalBlocker(edit):
                edit.setText(value)

    def _on_problems(self, problems: dict) -> None:
        if self.mode == "multi":
            self.rebuild()
            return
        if self.mode != "node" or self.node_id is None:
            return
        sections: dict[str, list] = {s: [] for s in NODE_SECTIONS}
        for problem in problems.get(self.node_id, []):
            section, path, message, severity = _problem_parts(problem)
            sections[section].append((path, message, severity))
        if self.form is not None:
            unplaced = self.form.set_problems(sections["attributes"])
            self._show_node_problems(unplaced)
        else:
            self._show_node_problems(sections["attributes"])
        if self.post_processing_row is not None:
            self.post_processing_row.set_problems(sections["post_processing"])
        if self.translation_row is not None:
            self.translation_row.set_problems(sections["translation"])

    def _show_node_problems(self, problems: list) -> None:
        """Problems about the node as a whole (unknown type, unplaceable paths) under the heading."""
        if self.node_problems is None:
            return
        text = "\n".join(("✖ " if s == "error" else "⚠ ") + (f"{format_path(p)}: " if p else "") + m
                         for p, m, s in problems)
        self.node_problems.setText(text)
        self.node_problems.setVisible(bool(text))

    # --------------------------------------------------------------- focus
    def focus_field(self, node_id: str, path: tuple) -> None:
        """Select the node's form and put the keyboard focus in the field at ``path``."""
        if not self.document.graph.has_node(node_id):
            return
        if self.document.selection() != [node_id]:
            self.document.set_selection([node_id])
        if self.mode != "node" or self.node_id != node_id:
            self.rebuild()
        path = tuple(path or ())
        done = False
        if path and path[0] == "label" and self.label_edit is not None:
            self.label_edit.setFocus()
            done = True
        elif path and path[0] == "post_processing" and self.post_processing_row is not None:
            done = self.post_processing_row.focus_path(path[1:])
        elif path and path[0] == "translation" and self.translation_row is not None:
            done = self.translation_row.focus_path(path[1:])
        elif path and path[0] == "files" and self.files_editor is not None:
            edit = self.files_editor.edits.get(path[1]) if len(path) > 1 else None
            if edit is not None:
                edit.setFocus()
                done = True
        if not done:
            if path and path[0] == "attributes":
                path = path[1:]
            if self.form is not None:
                done = self.form.focus_path(path) if path else self.form.focus_path(())
            elif self.attributes_yaml is not None:
                self.attributes_yaml.setFocus()
                done = True
        widget = QApplication.focusWidget()
        if widget is not None and self.content is not None and self.content.isAncestorOf(widget):
            self.scroll.ensureWidgetVisible(widget, 20, 40)

    def focus_first_field(self) -> bool:
        """The keyboard goes to the selected node's first property (its first attribute field, else the
        attributes YAML, else its label)."""
        if self.mode != "node":
            return False
        target = None
        if self.form is not None and getattr(self.form, "rows", None):
            first = next(iter(self.form.rows.values()))
            if first.focus_path(()):
                target = QApplication.focusWidget()
        if target is None:
            widget = self.attributes_yaml or self.label_edit
            if widget is None:
                return False
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
            target = widget
        if target is not None and self.content is not None and self.content.isAncestorOf(target):
            self.scroll.ensureWidgetVisible(target, 20, 40)
        return True

    # ---------------------------------------------------------- test helpers
    def row(self, *path) -> FieldRow | None:
        """The FieldRow at an attribute path (expanding groups on the way); None if there is none."""
        if self.form is None:
            return None
        from dagster_designer_qt.ui.forms.containers import ListEditor, MapEditor, ObjectEditor, UnionEditor
        from dagster_designer_qt.ui.forms.row import FieldRow

        editor: Any = self.form
        row = None
        for part in path:

            if isinstance(editor, FieldRow):
                editor = editor.editor()
            if isinstance(editor, UnionEditor):
                editor = editor.child.editor()
            if isinstance(editor, ObjectEditor):
                row = editor.rows.get(part)
            elif isinstance(editor, ListEditor):
                row = editor.items[part] if isinstance(part, int) and part < len(editor.items) else None
            elif isinstance(editor, MapEditor):
                row = next((r for k, r in editor.entries if editor._entry_key(k) == part), None)
            else:
                row = None
            if row is None:
                return None
            editor = row
        return row


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
