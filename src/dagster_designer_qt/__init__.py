"""Dagster Designer: design Dagster projects visually, export real Dagster projects."""

__version__ = "0.1.0"
