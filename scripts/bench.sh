#!/usr/bin/env bash
# Runs the benchmarks and prints each figure against its baseline measured in the same run.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$COMPTOIR_ROOT"
cargo bench -p comptoir-core -p comptoir-store -p comptoir-app --benches --quiet
cargo run -p xtask --quiet -- bench-report
