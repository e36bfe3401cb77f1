"""Form build time per installed component type (parse cached, as in the app: schema -> widgets + values).
Target: <= 30 ms for DbtProjectComponent (the largest form)."""

from __future__ import annotations

import importlib
import os

from bench.common import measure, row

TYPES = [
    ("dagster_dbt", "DbtProjectComponent"), ("dagster_dbt", "DbtCloudComponent"),
    ("dagster_sling", "SlingReplicationCollectionComponent"), ("dagster_fivetran", "FivetranAccountComponent"),
    ("dagster", "PythonScriptComponent"), ("dagster", "FunctionComponent"), ("dagster", "TemplatedSqlComponent"),
    ("dagster", "UvRunComponent"), ("dagster", "DefinitionsComponent"), ("dagster", "DefsFolderComponent"),
]
TARGET_MS = 30.0


def run(quick: bool) -> list[dict]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from dagster_designer_qt.core.schema import parse_schema
    from dagster_designer_qt.ui.forms.base import FormContext
    from dagster_designer_qt.ui.forms.factory import build_form

    app = QApplication.instance() or QApplication([])
    rows = []
    repeat = 2 if quick else 15
    for module, name in TYPES:
        schema = getattr(importlib.import_module(module), name).get_model_cls().model_json_schema()
        parse_schema(schema)  # warm the parser cache, as a running app has
        built = []

        def build():
            form = build_form(schema, FormContext(component_type=f"{module}.{name}"))
            form.set_value({})
            built.append(form)

        def cleanup():
            while built:
                built.pop().deleteLater()
            app.processEvents()

        build()
        cleanup()
        stats = measure(build, repeat=repeat, setup=cleanup)
        cleanup()
        stats = {k: (v * 1000 if k != "runs" else v) for k, v in stats.items()}
        rows.append(row("forms", f"build form {name}", stats, unit="ms",
                        target=TARGET_MS if name == "DbtProjectComponent" else None))
        if name == "DbtProjectComponent":
            def build_and_show():
                build()
                built[-1].resize(480, 900)
                built[-1].show()
                app.processEvents()  # polish + layout, what the user waits for

            shown = measure(build_and_show, repeat=repeat, setup=cleanup)
            cleanup()
            shown = {k: (v * 1000 if k != "runs" else v) for k, v in shown.items()}
            rows.append(row("forms", f"build + show form {name}", shown, unit="ms", target=TARGET_MS))
    return rows


if __name__ == "__main__":
    for r in run(quick=True):
        print(f"{r['name']:<55} {r['value']:7.1f} {r['unit']}  spread {r['spread']}  target {r['target']}")
