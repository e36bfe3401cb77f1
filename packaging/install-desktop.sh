#!/usr/bin/env bash
# Install a built bundle for the current user on Linux: the app folder, a `dagster-designer` command,
# the menu entry (.desktop) and the icons. Undo with `packaging/install-desktop.sh --uninstall`.
#
#   packaging/install-desktop.sh [BUNDLE_DIR]     # default: packaging/dist/dagster-designer
#
# Files: ~/.local/opt/dagster-designer/ (the bundle), ~/.local/bin/dagster-designer (symlink),
# ~/.local/share/applications/dagster-designer.desktop, ~/.local/share/icons/hicolor/*/apps/dagster-designer.*
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
DATA="${XDG_DATA_HOME:-$HOME/.local/share}"
OPT="$HOME/.local/opt/dagster-designer"
BIN="$HOME/.local/bin/dagster-designer"
DESKTOP="$DATA/applications/dagster-designer.desktop"
ICONS="$DATA/icons/hicolor"
SIZES="16 24 32 48 64 128 256 512"

if [[ "${1:-}" == "--uninstall" ]]; then
    rm -rf "$OPT" "$BIN" "$DESKTOP" "$ICONS/scalable/apps/dagster-designer.svg"
    for s in $SIZES; do rm -f "$ICONS/${s}x${s}/apps/dagster-designer.png"; done
    command -v update-desktop-database >/dev/null && update-desktop-database "$DATA/applications" || true
    echo "uninstalled"
    exit 0
fi

BUNDLE="${1:-$HERE/dist/dagster-designer}"
[[ -x "$BUNDLE/dagster-designer" ]] || { echo "error: no bundle at $BUNDLE (run packaging/build.sh)" >&2; exit 1; }

rm -rf "$OPT"
mkdir -p "$(dirname "$OPT")" "$(dirname "$BIN")" "$(dirname "$DESKTOP")"
cp -a "$BUNDLE" "$OPT"
ln -sf "$OPT/dagster-designer" "$BIN"
# Absolute Exec/TryExec: desktop sessions often don't have ~/.local/bin on PATH.
sed -e "s|^Exec=dagster-designer|Exec=$OPT/dagster-designer|" \
    -e "s|^TryExec=dagster-designer|TryExec=$OPT/dagster-designer|" \
    "$HERE/dagster-designer.desktop" > "$DESKTOP"
for s in $SIZES; do
    mkdir -p "$ICONS/${s}x${s}/apps"
    cp "$ROOT/resources/icons/app/dagster-designer-$s.png" "$ICONS/${s}x${s}/apps/dagster-designer.png"
done
mkdir -p "$ICONS/scalable/apps"
cp "$ROOT/resources/icons/app/dagster-designer.svg" "$ICONS/scalable/apps/dagster-designer.svg"
command -v update-desktop-database >/dev/null && update-desktop-database "$DATA/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$ICONS" || true
echo "installed: $OPT (command: $BIN, menu entry: $DESKTOP)"
