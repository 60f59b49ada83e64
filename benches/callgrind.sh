#!/usr/bin/env bash
# Instructions per professional-step of one tick, counted by valgrind's
# callgrind: exact and repeatable for a given binary, unlike wall-clock time
# on a shared machine. Runs examples/tick.rs with 0 and with T ticks and
# divides the difference by T × N.
#
#   bash benches/callgrind.sh [N professionals, default 10000] [T ticks, default 20]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
t=${2:-20}
cargo build --release --example tick >/dev/null 2>&1
count() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null ./target/release/examples/tick "$n" "$1" 2>&1 \
        | sed -n 's/.*Collected : *\([0-9]*\).*/\1/p; s/.*I *refs: *\([0-9,]*\).*/\1/p' | tr -d , | head -1
}
base=$(count 0)
full=$(count "$t")
echo "setup: $base instructions; $t ticks of $n professionals: $((full - base)) instructions"
awk -v d="$((full - base))" -v n="$n" -v t="$t" 'BEGIN { printf "%.0f instructions per professional-step\n", d / (n * t) }'
