from dagster_designer_qt.core.component_text import match_score, rst_to_text


def test_rst_docs_read_as_plain_text():
    text = rst_to_text(
        "Run a **Python** script with :py:class:`dagster.PipesSubprocessClient`.\n\n"
        "Set ``path``; see `the docs <https://docs.dagster.io>`_.\n\n"
        ".. code-block:: yaml\n\n    type: x\n\n.. note:: *Careful*\n\n.. a comment\n")
    assert text.splitlines()[0] == "Run a Python script with dagster.PipesSubprocessClient."
    assert "Set path; see the docs." in text
    assert "Example (yaml):" in text and "    type: x" in text
    assert "Note: Careful" in text
    assert "``" not in text and ":py:" not in text and ".." not in text and "**" not in text


def test_match_score_prefers_the_name_over_the_docs():
    by_name = match_score("python", "Python Script", "PythonScriptComponent")
    by_docs = match_score("python", "Defs Folder", "DefsFolderComponent", description="python modules")
    assert by_name > by_docs > 0
    assert match_score("dbt proj", "dbt Project") > match_score("dbt proj", "dbt Cloud", description="project")
    assert match_score("nothing", "dbt Project", "x", description="y") == 0
    assert match_score("sql", "Templated SQL") > match_score("sql", "Sling Replication", description="sql db")


def test_plain_lines_pass_through_and_a_literal_block_marker_still_becomes_a_colon():
    """Most docstring lines have nothing to convert (a fast path keeps them as they are); a line ending in
    "::" (even with trailing spaces) still ends in one colon, and inline markup in plain lines is undone."""
    text = "Runs a script.\n\n  indented plain\nExample::  \n1. item `x <y>`_ and **bold**\n"
    assert rst_to_text(text) == "Runs a script.\n\n  indented plain\nExample:\n1. item x and bold"
