"""services.python_defs.scan_module: what a definitions module declares, read with ast (never run)."""

import ast
import textwrap

import pytest

from dagster_designer_qt.services.python_defs import scan_module


def scan(code):
    return scan_module(ast.parse(textwrap.dedent(code)))


@pytest.mark.parametrize("code, keys, deps, defines", [
    ("@dg.asset\ndef orders(): ...\n", ["orders"], [], ["asset"]),
    ("@asset(key_prefix=['raw'], name='o')\ndef f(): ...\n", ["raw/o"], [], ["asset"]),
    ("@dg.asset(key=dg.AssetKey(['a', 'b']), deps=['x', dg.AssetKey(['y', 'z'])])\ndef f(): ...\n",
     ["a/b"], ["x", "y/z"], ["asset"]),
    ("@dg.asset\ndef report(context: dg.AssetExecutionContext, orders, customers): ...\n",
     ["report"], ["orders", "customers"], ["asset"]),
    ("@dg.multi_asset(outs={'a': dg.AssetOut(), 'b': dg.AssetOut(key=['x', 'b'])})\ndef f(): ...\n",
     ["a", "x/b"], [], ["asset"]),
    ("@dg.multi_asset(specs=[dg.AssetSpec('s1', deps=['up']), dg.AssetSpec(key='s2')])\ndef f(): ...\n",
     ["s1", "s2"], ["up"], ["asset"]),
    ("def make(n):\n    @dg.asset(name=n)\n    def _a(): ...\n    return _a\n", [], [], ["asset"]),
    ("@dg.asset_check(asset='orders')\ndef c(): ...\n", [], [], ["check"]),
    ("j = dg.define_asset_job('j', selection='*')\ns = dg.ScheduleDefinition(job=j, cron_schedule='@daily')\n",
     [], [], ["job", "schedule"]),
    ("@dg.definitions\ndef defs():\n    return dg.Definitions(assets=[dg.AssetSpec('ext')])\n",
     ["ext"], [], ["definitions", "asset"]),
    ("import os\nos.system('touch /tmp/never')\n", [], [], []),
])
def test_declared_definitions_are_found(code, keys, deps, defines):
    found = scan(code)
    assert (found.keys, found.deps, sorted(found.defines)) == (keys, deps, sorted(defines))
