"""Schema-driven forms: one editor factory (factory.create_editor) over core.schema's field descriptions."""
