"""Component palette: components grouped by category, a search field that filters as you type, drag to
the canvas or Enter/double-click to add at the view centre. Shows when the registry is still loading."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from dagster_designer_qt.core.component_text import match_score, rst_to_text
from dagster_designer_qt.core.naming import component_display_name as display_name
from dagster_designer_qt.ui import resources
from dagster_designer_qt.ui.canvas.view import COMPONENT_MIME
from dagster_designer_qt.ui.theme import category_icon_name

TYPE_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2
FIELDS_ROLE = Qt.ItemDataRole.UserRole + 3  # (display name, class name, type, description) for ranking

CATEGORY_TITLES = {"dagster": "Dagster", "dbt": "dbt", "sling": "Sling", "fivetran": "Fivetran"}


def category_title(category: str) -> str:
    if not category:
        return "Other"
    return CATEGORY_TITLES.get(category, category.replace("_", " ").title())


def mime_data_for(component_type: str) -> QMimeData:
    """What the palette puts on a drag (also what a drop on the canvas accepts)."""
    data = QMimeData()
    data.setData(COMPONENT_MIME, component_type.encode("utf-8"))
    data.setText(component_type)
    return data


class _Model(QStandardItemModel):
    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [COMPONENT_MIME]

    def mimeData(self, indexes) -> QMimeData:  # noqa: N802
        for index in indexes:
            component_type = index.data(TYPE_ROLE)
            if component_type:
                return mime_data_for(component_type)
        return QMimeData()


class _Filter(QSortFilterProxyModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setRecursiveFilteringEnabled(True)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterRole(SEARCH_ROLE)
        self._words: list[str] = []

    def set_query(self, text: str) -> None:
        self._words = text.casefold().split()
        self.invalidateFilter()

    def score(self, index: QModelIndex) -> int:
        """How well the query matches the component at ``index`` (a source or proxy index)."""
        fields = index.data(FIELDS_ROLE)
        if not fields:
            return 0
        display, name, ctype, description = fields
        return match_score(" ".join(self._words), display, name, ctype, description=description)

    def filterAcceptsRow(self, row: int, parent: QModelIndex) -> bool:  # noqa: N802
        if not self._words:
            return True
        index = self.sourceModel().index(row, 0, parent)
        if not index.data(FIELDS_ROLE):
            return False  # a group shows when one of its components matches (recursive filtering)
        return self.score(index) > 0

    def lessThan(self, left: QModelIndex, right: QModelIndex) -> bool:  # noqa: N802
        """With a query, the best match first within a group; otherwise the registry's order."""
        if self._words and left.data(FIELDS_ROLE) and right.data(FIELDS_ROLE):
            a, b = self.score(left), self.score(right)
            if a != b:
                return a > b
        return left.row() < right.row()


class ComponentPalette(QWidget):
    component_activated = Signal(str)  # component type to add at the view centre

    def __init__(self, registry, theme=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("componentPalette")
        self.setAccessibleName("Component palette")
        self.registry = registry
        self.theme = theme
        self.search = QLineEdit(self)
        self.search.setObjectName("paletteSearch")
        self.search.setAccessibleName("Search components")
        self.search.setPlaceholderText("Search components…")
        self.search.setClearButtonEnabled(True)
        self.status = QLabel(self)
        self.status.setObjectName("paletteStatus")
        self.status.setWordWrap(True)
        self.busy = QProgressBar(self)
        self.busy.setObjectName("paletteBusy")
        self.busy.setRange(0, 0)  # indeterminate
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(4)
        self.model = _Model(self)
        self.proxy = _Filter(self)
        self.proxy.setSourceModel(self.model)
        self.tree = QTreeView(self)
        self.tree.setObjectName("paletteList")
        self.tree.setAccessibleName("Components")
        self.tree.setModel(self.proxy)
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(8)
        self.tree.setUniformRowHeights(True)
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setExpandsOnDoubleClick(False)
        self.tree.setIconSize(_size(20))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addWidget(self.search)
        layout.addWidget(self.busy)
        layout.addWidget(self.status)
        layout.addWidget(self.tree, 1)
        self.search.textChanged.connect(self._filter)
        self.search.returnPressed.connect(self._activate_first)
        self.tree.activated.connect(self._activate_index)
        self.tree.doubleClicked.connect(self._activate_index)
        QShortcut(QKeySequence(Qt.Key.Key_Down), self.search, self._focus_list,
                  context=Qt.ShortcutContext.WidgetShortcut)
        self.setFocusProxy(self.search)
        registry.components_loaded.connect(self.set_components)
        registry.loading_started.connect(self._on_loading)
        registry.loading_failed.connect(self._on_failed)
        if registry.is_loaded():
            self.set_components(registry.components())
        elif registry.is_loading():
            self._on_loading()
        else:
            self._show_status("")

    # ------------------------------------------------------------- status
    def _show_status(self, text: str, busy: bool = False) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))
        self.busy.setVisible(busy)

    def _on_loading(self) -> None:
        if not self.registry.is_loaded():
            self._show_status("Loading installed components… (the first start imports Dagster; this "
                              "takes a few seconds)", busy=True)

    def _on_failed(self, message: str) -> None:
        self._show_status(f"Could not load components: {message}")

    def is_loading_shown(self) -> bool:
        return self.busy.isVisibleTo(self)

    # ------------------------------------------------------------- content
    def set_components(self, components) -> None:
        self.model.clear()
        groups: dict[str, QStandardItem] = {}
        for info in components:
            category = info.category or ""
            group = groups.get(category)
            if group is None:
                group = QStandardItem(category_title(category))
                group.setIcon(resources.icon(category_icon_name(category)))
                group.setFlags(Qt.ItemFlag.ItemIsEnabled)
                font = group.font()
                font.setBold(True)
                group.setFont(font)
                group.setData(category_title(category).casefold(), SEARCH_ROLE)
                self.model.appendRow(group)
                groups[category] = group
            item = QStandardItem(display_name(info.name))
            item.setIcon(resources.icon(category_icon_name(category, info.icon)))
            item.setData(info.type, TYPE_ROLE)
            description = rst_to_text((info.description or info.summary or "").strip())
            tip = f"<b>{_html(display_name(info.name))}</b><br><code>{info.type}</code>"
            if description:
                tip += "<br><br>" + _html(description[:600])
            if info.error:
                tip += "<br><br><i>Schema unavailable: " + _html(info.error[:300]) + "</i>"
            item.setToolTip(tip)
            item.setAccessibleText(f"{display_name(info.name)} ({category_title(category)})")
            item.setData(" ".join([info.name, display_name(info.name), info.type, description,
                                   category]).casefold(), SEARCH_ROLE)
            item.setData((display_name(info.name), info.name, info.type, description), FIELDS_ROLE)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                          | Qt.ItemFlag.ItemIsDragEnabled)
            group.appendRow(item)
        self.tree.expandAll()
        count = sum(1 for _ in components)
        self._show_status("" if count else "No components found.")

    def component_types(self, visible_only: bool = True) -> list[str]:
        model = self.proxy if visible_only else self.model
        out = []
        for row in range(model.rowCount()):
            group = model.index(row, 0)
            for child in range(model.rowCount(group)):
                out.append(model.index(child, 0, group).data(TYPE_ROLE))
        return out

    # ------------------------------------------------------------- actions
    def _filter(self, text: str) -> None:
        self.proxy.set_query(text)
        self.proxy.sort(0 if text.strip() else -1)
        self.tree.expandAll()
        first = self._first_component()
        if first.isValid():
            self.tree.setCurrentIndex(first)
        if self.registry.is_loaded():
            self._show_status("No component matches “%s”." % text.strip() if text.strip() and not first.isValid()
                              else "")

    def _first_component(self) -> QModelIndex:
        """The best match for the query (the first component when there is none)."""
        best, best_score = QModelIndex(), -1
        for row in range(self.proxy.rowCount()):
            group = self.proxy.index(row, 0)
            for child in range(self.proxy.rowCount(group)):
                index = self.proxy.index(child, 0, group)
                score = self.proxy.score(index)
                if score > best_score:
                    best, best_score = index, score
        return best

    def _focus_list(self) -> None:
        self.tree.setFocus(Qt.FocusReason.TabFocusReason)
        if not self.tree.currentIndex().isValid():
            self.tree.setCurrentIndex(self._first_component())

    def _activate_first(self) -> None:
        index = self.tree.currentIndex()
        if not index.isValid() or not index.data(TYPE_ROLE):
            index = self._first_component()
        self._activate_index(index)

    def _activate_index(self, index: QModelIndex) -> None:
        component_type = index.data(TYPE_ROLE) if index.isValid() else None
        if component_type:
            self.component_activated.emit(component_type)

    def mime_data_for(self, component_type: str) -> QMimeData:
        return mime_data_for(component_type)


def _size(n: int):
    from PySide6.QtCore import QSize

    return QSize(n, n)


def _html(text: str) -> str:
    from html import escape

    return escape(text).replace("\n", "<br>")
