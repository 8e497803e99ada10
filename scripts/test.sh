#!/usr/bin/env bash
# Runs every test of Comptoir: formatting and lints, the Rust suites (domain, database, app
# API, CLI with the SIGKILL crash test, drivers against their simulators, the central server
# against SQLite and PostgreSQL), the UI's unit tests, and the real desktop app driven through
# WebDriver under Xvfb.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
source "$(dirname "${BASH_SOURCE[0]}")/postgres.sh"
cd "$COMPTOIR_ROOT"

step() { say "== $*"; }

step "UI: type check, build and unit tests"
npm run build --silent
npm test --silent

step "Rust: formatting"
cargo fmt --all -- --check

step "Rust: lints"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "Rust: binaries the tests start as processes (the CLI, the printer simulator)"
cargo build --bins --quiet

step "PostgreSQL for the server's tests (they run against SQLite and PostgreSQL)"
need_postgres
say "using $COMPTOIR_TEST_POSTGRES"

step "Rust: tests"
cargo test --quiet

# One app at a time: three WebKit apps at once on two cores took over a minute to exit.
step "end to end: the real app through tauri-driver and WebKitWebDriver"
if ! command -v tauri-driver >/dev/null; then
  say "installing tauri-driver"
  cargo install tauri-driver --version '^2' --locked --quiet
fi
cargo build -p comptoir-register --features custom-protocol --quiet
export COMPTOIR_E2E=1 NO_AT_BRIDGE=1 WEBKIT_DISABLE_DMABUF_RENDERER=1 WEBKIT_DISABLE_COMPOSITING_MODE=1
export COMPTOIR_APP="$CARGO_TARGET_DIR/debug/comptoir-register"
xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- \
  cargo test -p comptoir-register --features custom-protocol --test e2e --quiet -- --test-threads=1

say "all tests passed"
