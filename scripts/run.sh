#!/usr/bin/env bash
# Runs the register on the Montréal demo store with the virtual printer.
# COMPTOIR_STORE=london picks the London shop; COMPTOIR_DATA_DIR another data folder.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$COMPTOIR_ROOT"

say "building the cashier's screens"
npm run build --silent
say "building the register (the first build takes about 10 minutes)"
cargo build -p comptoir-register --features custom-protocol --quiet
app="$CARGO_TARGET_DIR/debug/comptoir-register"
export COMPTOIR_STORE="${COMPTOIR_STORE:-montreal}"
say "data folder: ${COMPTOIR_DATA_DIR:-$HOME/.local/share/org.comptoir.register}"
say "sign in with PIN 1234 (manager) or 2468 (cashier); receipts go to the virtual printer"
export WEBKIT_DISABLE_DMABUF_RENDERER=1
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  say "no display: running under Xvfb (xvfb-run picks a free display)"
  exec xvfb-run -a -s "-screen 0 1280x800x24" "$app"
fi
exec "$app"
