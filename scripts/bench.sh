#!/usr/bin/env bash
# Runs the benchmarks and prints each figure against its baseline measured in the same run.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
source "$(dirname "${BASH_SOURCE[0]}")/postgres.sh"
cd "$COMPTOIR_ROOT"
need_postgres
cargo bench -p comptoir-core -p comptoir-store -p comptoir-app -p comptoir-server --benches --quiet
cargo run -p xtask --quiet -- bench-report
