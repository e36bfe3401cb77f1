"""One custom-painted item per node: body, category accent and icon, label, type, ports, problem badge."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QStaticText
from PySide6.QtWidgets import QGraphicsItem

from dagster_designer_qt.ui.canvas import run_badge
from dagster_designer_qt.ui.canvas import style as S


SELECTABLE = QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
PLAIN = Qt.TextFormat.PlainText
AGGRESSIVE = QStaticText.PerformanceHint.AggressiveCaching
ELIDE_RIGHT = Qt.TextElideMode.ElideRight
ELIDE_MIDDLE = Qt.TextElideMode.ElideMiddle


def _static_text(text: str = "") -> QStaticText:
    static = QStaticText(text)
    static.setTextFormat(PLAIN)
    static.setPerformanceHint(AGGRESSIVE)
    return static


class NodeItem(QGraphicsItem):
    """Paints a node from a few cached fields; the scene sets them from model events."""

    style: S.CanvasStyle = None  # shared, set by the scene (one per theme)
    TYPE = QGraphicsItem.UserType + 1
    # Slots, not an instance __dict__: a dict of these fifteen fields was ~400 bytes per node (measured with
    # tracemalloc), 3 % of the window's memory per node at 5k nodes; slots are 8 bytes each.
    __slots__ = ("node_id", "edges", "category", "icon_name", "missing", "severity", "problem_count",
                 "hot_port", "run_state", "_label", "_type", "_far", "_badge", "label", "type_text")

    def __init__(self, node_id: str):
        super().__init__()
        self.node_id = node_id
        self.edges: list = []  # EdgeItems touching this node (kept by the scene)
        self.category = ""
        self.icon_name = "cat-custom"
        self.missing = False  # component package not installed
        self.severity: str | None = None  # "error" | "warning" | None
        self.problem_count = 0
        self.hot_port: str | None = None  # "in" | "out" while a new edge hovers it
        self.run_state = None  # the last run's NodeRunState (set by the run controller), painted by run_badge
        # Static texts are made on the first detailed paint (most nodes of a big graph are never
        # painted up close), and again after a label/type change or a theme change.
        self._label: QStaticText | None = None
        self._type: QStaticText | None = None
        self._far: list | None = None  # the label alone, in each far font (made when first needed)
        self._badge: QStaticText | None = None
        self.label = ""
        self.type_text = ""
        self.setFlags(SELECTABLE)
        self.setZValue(1.0)

    def type(self) -> int:  # noqa: A003 - Qt's name
        return self.TYPE

    # ------------------------------------------------------------ content
    def set_texts(self, label: str, type_text: str) -> None:
        self.label = label
        self.type_text = type_text
        if self._label is not None or self._far is not None:
            self._label = self._far = None
            self.update()

    def _make_texts(self) -> None:
        st = self.style
        self._label = _static_text(st.label_metrics.elidedText(self.label, ELIDE_RIGHT, S.TEXT_W))
        self._type = _static_text(st.type_metrics.elidedText(self.type_text, ELIDE_MIDDLE, S.TEXT_W))

    def _far_text(self, tier: int) -> QStaticText:
        if self._far is None:
            self._far = [None] * len(S.FAR_LABEL_PX)
        text = self._far[tier]
        if text is None:
            metrics = self.style.far_metrics[tier]
            text = self._far[tier] = _static_text(metrics.elidedText(self.label, ELIDE_RIGHT, S.FAR_TEXT_W))
        return text

    def set_component(self, category: str, icon_name: str, missing: bool) -> None:
        if (category, icon_name, missing) != (self.category, self.icon_name, self.missing):
            self.category, self.icon_name, self.missing = category, icon_name, missing
            self.update()

    def set_problems(self, severity: str | None, count: int) -> None:
        if (severity, count) != (self.severity, self.problem_count):
            self.severity, self.problem_count = severity, count
            self._badge = None  # made on the first detailed paint (thousands of problem nodes are never)
            self.update()

    def set_hot_port(self, port: str | None) -> None:
        if port != self.hot_port:
            self.hot_port = port
            self.update()

    # ------------------------------------------------------------ geometry
    def boundingRect(self) -> QRectF:  # noqa: N802
        return S.BOUNDS

    def port_at(self, scene_pos: QPointF) -> str | None:
        """"in" or "out" when scene_pos is on (near) a port."""
        local = scene_pos - self.pos()
        for name, centre in (("out", S.OUT_PORT), ("in", S.IN_PORT)):
            d = local - centre
            if d.x() * d.x() + d.y() * d.y() <= S.PORT_HIT * S.PORT_HIT:
                return name
        return None

    def out_anchor(self) -> QPointF:
        return self.pos() + S.OUT_PORT

    def in_anchor(self) -> QPointF:
        return self.pos() + S.IN_PORT

    # ------------------------------------------------------------ painting
    def paint(self, painter: QPainter, option, widget=None) -> None:
        st = self.style
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        selected = self.isSelected()  # cheaper than testing option.state's enum flags in Python
        accent = st.accent_brush("\0missing" if self.missing else self.category)
        if lod < S.LOD_FAR_TEXT:  # a flat box in the category colour, outlined by problem severity
            painter.fillRect(S.BODY, st.overview_selected_brush if selected else accent)
            if self.severity:
                painter.setPen(st.overview_error_pen if self.severity == "error" else st.overview_warning_pen)
                painter.setBrush(st.no_brush)
                painter.drawRect(S.BODY)
            return
        if selected:
            pen = st.selected_pen
        elif self.severity and lod < S.LOD_TEXT:  # the badge is small from afar: outline the node too
            pen = st.overview_error_pen if self.severity == "error" else st.overview_warning_pen
        elif self.missing:
            pen = st.missing_pen
        else:
            pen = st.border_pen
        painter.setPen(pen)
        painter.setBrush(st.fill_brush)
        painter.drawRoundedRect(S.BODY, S.RADIUS, S.RADIUS)
        painter.fillPath(st.accent, accent)
        if lod >= S.LOD_TEXT:
            if self._label is None:
                self._make_texts()
            painter.drawPixmap(QPointF(16, (S.H - S.ICON) / 2), st.icon_pixmap(
                "cat-missing" if self.missing else self.icon_name))
            painter.setFont(st.label_font)
            painter.setPen(st.text_pen)
            painter.drawStaticText(QPointF(S.TEXT_X, 14), self._label)
            painter.setFont(st.type_font)
            painter.setPen(st.missing_text_pen if self.missing else st.subtext_pen)
            painter.drawStaticText(QPointF(S.TEXT_X, 40), self._type)
        else:  # zoomed out: the label alone, big enough to read down to LOD_FAR_TEXT
            tier = 0 if lod >= S.LOD_FAR_SWITCH else 1
            text = self._far_text(tier)
            painter.setFont(st.far_fonts[tier])
            painter.setPen(st.text_pen)
            size = text.size()
            painter.drawStaticText(QPointF(12 + (S.FAR_TEXT_W - size.width()) / 2,
                                           (S.H - size.height()) / 2), text)
        if lod >= S.LOD_PORTS:
            painter.setPen(st.port_pen)
            hot = self.hot_port
            painter.setBrush(st.port_hot_brush if hot == "in" else st.port_brush)
            painter.drawEllipse(S.IN_PORT, S.PORT_R, S.PORT_R)
            painter.setBrush(st.port_hot_brush if hot == "out" else st.port_brush)
            painter.drawEllipse(S.OUT_PORT, S.PORT_R, S.PORT_R)
        if self.severity:
            painter.setPen(st.badge_pen)
            painter.setBrush(st.error_brush if self.severity == "error" else st.warning_brush)
            if lod >= S.LOD_TEXT:
                painter.drawEllipse(S.BADGE_CENTER, S.BADGE_R, S.BADGE_R)
                if self._badge is None:
                    count = self.problem_count
                    self._badge = _static_text(str(count) if count < 10 else "9+")
                painter.setFont(st.badge_font)
                size = self._badge.size()
                painter.drawStaticText(QPointF(S.BADGE_CENTER.x() - size.width() / 2,
                                               S.BADGE_CENTER.y() - size.height() / 2), self._badge)
            else:  # a badge that keeps its on-screen size when zoomed out
                r = min(S.PAD, S.BADGE_R * S.LOD_TEXT / lod)
                painter.drawEllipse(S.BADGE_CENTER, r, r)
        if self.run_state is not None:
            run_badge.paint(painter, self.run_state, lod)
