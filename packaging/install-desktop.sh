#!/usr/bin/env bash
# Install a built bundle for the current user on Linux: the app folder, a `dagster-designer` command, then
# the bundle's own `install-desktop` (menu entry, icons, *.ddp.json MIME type, AppStream metainfo).
# Undo with `packaging/install-desktop.sh --uninstall`.
#
#   packaging/install-desktop.sh [BUNDLE_DIR]     # default: packaging/dist/dagster-designer
#
# Files: ~/.local/opt/dagster-designer/ (the bundle), ~/.local/bin/dagster-designer (symlink), and what
# `dagster-designer install-desktop` writes under ${XDG_DATA_HOME:-~/.local/share} (see docs/PACKAGING.md).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OPT="$HOME/.local/opt/dagster-designer"
BIN="$HOME/.local/bin/dagster-designer"

if [[ "${1:-}" == "--uninstall" ]]; then
    if [[ -x "$OPT/dagster-designer" ]]; then "$OPT/dagster-designer" install-desktop --uninstall; fi
    rm -rf "$OPT" "$BIN"
    echo "uninstalled"
    exit 0
fi

BUNDLE="${1:-$HERE/dist/dagster-designer}"
[[ -x "$BUNDLE/dagster-designer" ]] || { echo "error: no bundle at $BUNDLE (run packaging/build.sh)" >&2; exit 1; }

rm -rf "$OPT"
mkdir -p "$(dirname "$OPT")" "$(dirname "$BIN")"
cp -a "$BUNDLE" "$OPT"
ln -sf "$OPT/dagster-designer" "$BIN"
# Exec= of the menu entry is the installed bundle's absolute path (sessions often lack ~/.local/bin on PATH).
"$OPT/dagster-designer" install-desktop
echo "installed: $OPT (command: $BIN)"
