import keyword

import pytest

from dagster_designer_qt.core import naming


@pytest.mark.parametrize("name", ["dagster", "json", "test", "os", "dagster_dbt", "yaml", "class", ""])
def test_package_name_never_shadows_or_breaks(name):
    pkg = naming.package_name(name)
    assert pkg.isidentifier() and not keyword.iskeyword(pkg)
    assert pkg not in {"dagster", "json", "test", "os", "dagster_dbt", "yaml", "class"}


def test_package_name_is_readable():
    assert naming.package_name("Analytics Pipeline") == "analytics_pipeline"
    assert naming.package_name("3 Läden") == "project_3_laden"


HOSTILE = ["Transform", "transform", "../../x", "CON", "", "数据", "it's \"quoted\"", "a\nb", "con.txt",
           "/etc/passwd", "C:\\evil", "class", "__init__", "definitions", "9lives", "x" * 300]


def test_slugs_are_unique_safe_identifiers():
    slugs = naming.unique_slugs(HOSTILE)
    assert len({s.lower() for s in slugs}) == len(HOSTILE)
    for s in slugs:
        assert s.isidentifier() and not keyword.iskeyword(s)
        assert s.split(".")[0].lower() not in naming._WINDOWS_RESERVED
        assert len(s) <= naming.MAX_SLUG + 4


def test_op_names_avoid_dagster_reserved_words():
    assert naming.op_name("config") != "config"
    assert naming.op_name("report") == "report"
