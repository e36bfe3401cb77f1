"""Code that runs inside a project's Python interpreter (see ``dagster_helper.py``)."""
