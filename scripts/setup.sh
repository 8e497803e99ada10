#!/usr/bin/env bash
# Installs what building, running and testing Comptoir needs on Debian 12, as root, or says
# exactly what is missing. Sourced by run.sh and test.sh; safe to run again.
set -euo pipefail

COMPTOIR_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export COMPTOIR_ROOT
# Builds go outside the clone so later runs on the same machine reuse them.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/comptoir-target}"

APT_PACKAGES=(
  # building the desktop app (Tauri 2 on WebKitGTK 4.1)
  libwebkit2gtk-4.1-dev libsoup-3.0-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev
  libssl-dev build-essential file pkg-config
  # serial and USB devices
  libudev-dev libusb-1.0-0-dev
  # running the real app headless and driving it with WebDriver
  webkit2gtk-driver xvfb xauth dbus-daemon
)

say() { printf '[comptoir] %s\n' "$*" >&2; }

need_apt() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    say "missing Debian packages: ${missing[*]}"
    say "install them with: sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

need_rust() {
  if ! command -v cargo >/dev/null; then
    say "cargo is missing: install Rust 1.88 or newer (https://rustup.rs), then run this again"
    exit 1
  fi
}

need_node() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    say "Node.js 20.19+ and npm are missing: install Node.js 20 or 22 (Debian's nodejs 18 is too old for Vite 8)"
    exit 1
  fi
  local major minor
  major=$(node -p 'process.versions.node.split(".")[0]')
  minor=$(node -p 'process.versions.node.split(".")[1]')
  if [ "$major" -lt 20 ] || { [ "$major" -eq 20 ] && [ "$minor" -lt 19 ]; }; then
    say "Node.js $(node --version) is too old: Vite 8 needs 20.19+ or 22.12+ (Debian's nodejs is 18)"
    exit 1
  fi
}

ui_deps() {
  cd "$COMPTOIR_ROOT"
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing the UI's npm packages"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

need_apt
need_rust
need_node
ui_deps
