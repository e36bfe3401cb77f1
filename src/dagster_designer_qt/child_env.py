"""``python -m dagster_designer_qt.child_env``: print, as JSON, the environment this process gives the
programs it starts (``dbt``, ``git``, a browser...).

A support check for the bundle: ``<bundle> -m dagster_designer_qt.child_env`` shows whether anything of
the bundle (``LD_LIBRARY_PATH``, ``QT_PLUGIN_PATH``, ``PYTHONPATH`` into ``_internal``) would leak into
them; see packaging/launcher.py. ``--run CMD...`` starts CMD with that environment instead, the way the app
starts its children (exit code: CMD's).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys


def main(argv: list[str]) -> int:
    if argv[:1] == ["--run"]:
        if len(argv) < 2:
            print("usage: python -m dagster_designer_qt.child_env [--run CMD [ARGS...]]", file=sys.stderr)
            return 2
        return subprocess.call(argv[1:])
    json.dump(dict(os.environ), sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
