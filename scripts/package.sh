#!/usr/bin/env bash
# Builds the register's Debian package with the project's own tools (cargo and the Tauri CLI
# from package.json): the app, the `comptoir` CLI, the device simulators, the udev rule, the
# sample config and the autostart entry. Nothing is downloaded beyond the crates and npm
# packages the lock files name. The .deb lands in $CARGO_TARGET_DIR/release/bundle/deb/ and is
# copied to dist-deb/. A first release build takes 10 to 20 minutes on two cores.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$COMPTOIR_ROOT"

# The programs shipped in /usr/bin beside the app: the CLI and one simulator per device.
BINS=(comptoir comptoir-printer-sim comptoir-zvt-sim comptoir-scanner-sim comptoir-scale-sim
  comptoir-display-sim)
PACKAGES=(comptoir-cli comptoir-printer comptoir-zvt comptoir-scanner comptoir-scale comptoir-display)

say "building the CLI and the simulators (release)"
package_args=()
for p in "${PACKAGES[@]}"; do package_args+=(-p "$p"); done
nice cargo build --release --locked --bins "${package_args[@]}"

# tauri.conf.json names the files that live in the repository; the binaries live in the
# target folder, which differs per machine, so they are added for this build only.
overlay="$(mktemp --suffix=.json)"
trap 'rm -f "$overlay"' EXIT
{
  printf '{"bundle":{"linux":{"deb":{"files":{'
  sep=""
  for bin in "${BINS[@]}"; do
    path="$CARGO_TARGET_DIR/release/$bin"
    [ -x "$path" ] || { say "$path is missing after the build"; exit 1; }
    printf '%s"/usr/bin/%s":"%s"' "$sep" "$bin" "$path"
    sep=","
  done
  printf '}}}}}\n'
} >"$overlay"

say "building the register and its .deb (release)"
# The workspace's default members leave the app out (a bare cargo build never links WebKit):
# name it for the cargo build the Tauri CLI runs.
nice npx --no-install tauri build --bundles deb --config "$overlay" -- -p comptoir-register

mkdir -p dist-deb
deb="$(ls -t "$CARGO_TARGET_DIR"/release/bundle/deb/*.deb | head -n 1)"
cp "$deb" dist-deb/
say "built dist-deb/$(basename "$deb")"
dpkg-deb --info "dist-deb/$(basename "$deb")" | sed -n '/Package:/,/Description:/p' >&2
