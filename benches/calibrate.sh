#!/usr/bin/env bash
# Calibration throughput against the sweep runner, measured in one run on
# this machine: simulations per second of `profspace calibrate` on
# scenarios/calibrate.toml, against runs per second of a sweep of the same
# organisation over the calibration's prior (managers.focus and
# managers.connection sampled on [0, 1], both couplings) with as many runs
# as the calibration simulated. Both are timed as whole processes, best of
# ROUNDS interleaved rounds, charts off; the sweep writes no ticks.csv.
#
#   bash benches/calibrate.sh [ROUNDS, default 3] [THREADS, default all cores]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
threads=${2:-$(nproc)}
bin=${PROFSPACE:-target/release/profspace}
[ -x "$bin" ] || cargo build --release >/dev/null 2>&1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }

# One calibration first, to know how many simulations it takes (the count
# is the same in every round: the calibration is deterministic).
"$bin" calibrate scenarios/calibrate.toml --out "$work/cal" --no-plots --threads "$threads" >/dev/null 2>&1
sims=$(python3 -c "import json,sys; print(json.load(open('$work/cal/manifest.json'))['calibration']['simulations']['total'])")
half=$((sims / 2))
cat >"$work/sweep.toml" <<EOF
name = "sweep"
seed = 42
ticks = 200
replications = 1
[organization]
teams = 10
team_size = 10
[output]
ticks_every = 0
[sweep.grid]
coupling = ["zero_sum", "freedom_safety"]
[sweep.sample]
method = "random"
samples = $half
"managers.focus" = { from = 0.0, to = 1.0 }
"managers.connection" = { from = 0.0, to = 1.0 }
EOF

best_cal=999999
best_sweep=999999
for r in $(seq "$rounds"); do
    rm -rf "$work/cal" "$work/sw"
    t0=$(now)
    "$bin" calibrate scenarios/calibrate.toml --out "$work/cal" --no-plots --threads "$threads" >/dev/null 2>&1
    t1=$(now)
    "$bin" sweep "$work/sweep.toml" --out "$work/sw" --no-plots --threads "$threads" >/dev/null 2>&1
    t2=$(now)
    c=$(echo "$t1 - $t0" | bc -l)
    s=$(echo "$t2 - $t1" | bc -l)
    printf 'round %d: calibrate %.2f s, sweep %.2f s\n' "$r" "$c" "$s"
    best_cal=$(echo "if ($c < $best_cal) $c else $best_cal" | bc -l)
    best_sweep=$(echo "if ($s < $best_sweep) $s else $best_sweep" | bc -l)
done
runs=$((half * 2))
cal_rate=$(echo "$sims / $best_cal" | bc -l)
sweep_rate=$(echo "$runs / $best_sweep" | bc -l)
printf '\n%s threads, best of %s rounds (%s)\n' "$threads" "$rounds" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
printf 'calibrate: %d simulations in %.2f s = %.0f simulations/s\n' "$sims" "$best_cal" "$cal_rate"
printf 'sweep:     %d runs in %.2f s = %.0f runs/s\n' "$runs" "$best_sweep" "$sweep_rate"
printf 'ratio calibrate / sweep: %.2f\n' "$(echo "$cal_rate / $sweep_rate" | bc -l)"
