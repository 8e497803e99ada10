#!/usr/bin/env bash
# Fuzzes every parser of device input (docs/fuzzing.md) for SECONDS each (default 60), one
# target after another, one process each: `scripts/fuzz.sh 240`, or only some targets:
# `FUZZ_TARGETS="zvt_apdu gs1" scripts/fuzz.sh 300`. Not part of scripts/test.sh: it needs
# libFuzzer and nightly flags, which RUSTC_BOOTSTRAP=1 lets the stable compiler take.
#
# What the fuzzer grows goes to fuzz/work/<target>/ (git ignores it), crashes to
# fuzz/artifacts/<target>/; the committed seeds in fuzz/corpus/<target>/ are only read.
# One line per target at the end: target, seconds, executions, corpus size, result.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-60}"
export RUSTC_BOOTSTRAP=1
target_dir="${FUZZ_TARGET_DIR:-$root/fuzz/target}"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

# AddressSanitizer when the toolchain has it, else plain libFuzzer (Rust code is memory-safe
# without `unsafe`; the sanitizer mostly guards C dependencies).
sanitizer=address
if ! cargo fuzz build --fuzz-dir "$root/fuzz" --target-dir "$target_dir" -s address; then
    echo "== address sanitizer unavailable: fuzzing without it"
    sanitizer=none
    cargo fuzz build --fuzz-dir "$root/fuzz" --target-dir "$target_dir" -s none
fi

targets="${FUZZ_TARGETS:-$(cargo fuzz list --fuzz-dir "$root/fuzz")}"
summary=()
failed=0
for target in $targets; do
    work="$root/fuzz/work/$target"
    mkdir -p "$work/corpus"
    echo "== $target: $seconds s"
    result=ok
    # -jobs=1 runs the fuzzer in a child that writes fuzz-0.log in the working directory.
    (cd "$work" && cargo fuzz run --fuzz-dir "$root/fuzz" --target-dir "$target_dir" \
        -s "$sanitizer" "$target" "$work/corpus" "$root/fuzz/corpus/$target" -- \
        -jobs=1 -workers=1 -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 \
        >"$work/run.log" 2>&1) || result=CRASH
    log="$work/fuzz-0.log"
    [ -f "$log" ] || log="$work/run.log"
    if grep -q "ERROR: libFuzzer\|panicked at\|SUMMARY:" "$log"; then result=CRASH; fi
    runs="$(grep -o 'Done [0-9]* runs' "$log" | tail -1 | grep -o '[0-9]*' || true)"
    if [ -z "$runs" ]; then
        runs="$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#' || true)"
    fi
    files="$(find "$work/corpus" -type f | wc -l)"
    [ "$result" = ok ] || { failed=1; grep -A20 "panicked at\|ERROR:" "$log" | head -30; }
    summary+=("$target ${seconds}s runs=${runs:-?} corpus=$files $result")
done

echo "== summary ($sanitizer sanitizer)"
printf '%s\n' "${summary[@]}"
exit "$failed"
