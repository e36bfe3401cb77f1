#!/usr/bin/env bash
# Build the one-folder PyInstaller bundle of Dagster Designer.
#
#   packaging/build.sh            # -> packaging/dist/dagster-designer/dagster-designer
#   PYTHON=/path/to/python packaging/build.sh
#   DD_BUNDLE_WITH_DBT=1 packaging/build.sh   # also bundle dbt-core/adapters if installed (+~150 MB)
#
# The bundle contains whatever the build environment has installed: every Dagster component package
# registered there (entry-point group dagster_dg_cli.registry_modules) shows up in the frozen app. Build
# from a venv with the app installed (`pip install -e ".[packaging]"` or `pip install ".[packaging]"`).
# Work files go to packaging/build/, the bundle to packaging/dist/ (both git-ignored).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
if [[ -z "${PYTHON:-}" ]]; then
    if [[ -x "$ROOT/.venv/bin/python" ]]; then PYTHON="$ROOT/.venv/bin/python"; else PYTHON=python3; fi
fi

if ! "$PYTHON" -c "import PyInstaller" 2>/dev/null; then
    echo "PyInstaller is not installed in $PYTHON; installing the 'packaging' extra's pyinstaller" >&2
    "$PYTHON" -m pip install "pyinstaller>=6.10"
fi
"$PYTHON" -c "import dagster_designer_qt, dagster" || {
    echo "error: $PYTHON cannot import dagster_designer_qt and dagster; pip install -e . first" >&2
    exit 1
}

start=$(date +%s)
# Build from the wheel (what pip users get), not from the checkout: its package, resources and dist-info
# go into the bundle, so no direct_url.json of an editable install names this build folder.
WHEEL_DIR="$HERE/build/wheel"
rm -rf "$HERE/build/wheelhouse" "$WHEEL_DIR"
"$PYTHON" -m pip wheel --quiet --no-deps --wheel-dir "$HERE/build/wheelhouse" "$ROOT"
"$PYTHON" - "$HERE/build/wheelhouse" "$WHEEL_DIR" <<'PY'
import sys, zipfile
from pathlib import Path
(wheel,) = Path(sys.argv[1]).glob("dagster_designer_qt-*.whl")
zipfile.ZipFile(wheel).extractall(sys.argv[2])
print(f"building from {wheel.name}")
PY
export DD_WHEEL_DIR="$WHEEL_DIR"
export PYTHONPATH="$WHEEL_DIR${PYTHONPATH:+:$PYTHONPATH}"
# Qt must not try to open a display while PyInstaller's hooks inspect PySide6.
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
"$PYTHON" -m PyInstaller \
    --noconfirm --clean --log-level "${PYI_LOG_LEVEL:-WARN}" \
    --distpath "$HERE/dist" \
    --workpath "$HERE/build" \
    "$HERE/dagster_designer.spec"

BUNDLE="$HERE/dist/dagster-designer"
if [[ "$(uname -s)" == "Darwin" ]]; then
    echo "app: $HERE/dist/Dagster Designer.app"
fi
cp "$ROOT/resources/desktop/io.github.dagster_designer.DagsterDesigner.desktop" "$BUNDLE/"
cp "$ROOT/resources/icons/app/dagster-designer-256.png" "$BUNDLE/dagster-designer.png"
end=$(date +%s)

# A quick self-check: the frozen executable starts and reports its version.
"$BUNDLE/dagster-designer" --version
echo "bundle: $BUNDLE ($(du -sh "$BUNDLE" | cut -f1), built in $((end - start)) s)"
