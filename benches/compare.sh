#!/usr/bin/env bash
# profspace against its peers, measured in one run on this machine: the
# numpy implementation (benches/peers/psm_numpy.py) at 100, 10 000 and
# 1 000 000 professionals, the Mesa implementation (benches/peers/psm_mesa.py)
# at 100, and optionally another profspace binary (BASELINE=path, e.g. a
# release-1 build) at every size; the baseline's ratios to the peers are
# printed too (rows "numpy (baseline)", "mesa (baseline)"). Rounds are
# interleaved (each round runs every contender once, in turn) and the best
# round of each is kept, so that a busy neighbour slows everybody alike.
#
# profspace is timed as a whole process (`profspace run --threads 1`, setup,
# output and all) by the wall clock; the Python peers report their tick loop
# alone (--time: interpreter start, imports and setup excluded), which
# favours them. Rates are professional-steps per second. Against a baseline
# binary the ratio of CPU time (user + system) is printed too: on a machine
# shared with other jobs it varies less than the wall clock.
#
#   bash benches/compare.sh [ROUNDS, default 5]
#   BASELINE=/path/to/old/profspace SIZES="100 10000" bash benches/compare.sh 7
#   MESA=0 NUMPY=0 ...   leave a peer out
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
sizes=${SIZES:-"100 10000 1000000"}
bin=${PROFSPACE:-target/release/profspace}
baseline=${BASELINE:-}
numpy=${NUMPY:-1}
mesa=${MESA:-1}
[ -x "$bin" ] || cargo build --release >/dev/null 2>&1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Ticks per size: about 5 million professional-steps per profspace run
# (20 ticks at 1 000 000). At 100 professionals the run set is what
# researchers run most: many small runs of 200 ticks (250 of them), setup,
# aggregation and output included; BULK=0 makes it one run of 50 000 ticks.
bulk=${BULK:-1}
ticks_for() {
    case $1 in
    1000000) echo 20 ;;
    100) [ "$bulk" = 1 ] && echo 200 || echo 50000 ;;
    *) echo $((5000000 / $1)) ;;
    esac
}
reps_for() {
    if [ "$1" = 100 ] && [ "$bulk" = 1 ]; then echo 250; else echo 1; fi
}
# Ticks of the Python peers (kept short where they are slow).
peer_ticks_for() {
    case $1 in
    100) echo 2000 ;;
    10000) echo 100 ;;
    *) echo 5 ;;
    esac
}

scenario() { # size ticks -> file
    local f="$work/s$1.toml"
    cat >"$f" <<EOF
name = "compare"
seed = 42
ticks = $2
replications = $(reps_for "$1")
[organization]
teams = $(($1 / 10))
team_size = 10
[output]
ticks_every = 0
EOF
    echo "$f"
}

now() { date +%s.%N; }

# Steps per second of one whole-process profspace run: by the wall clock,
# then by CPU time.
time_bin() { # binary size ticks
    local f out t0 t1 cpu
    f=$(scenario "$2" "$3")
    out="$work/out"
    rm -rf "$out"
    t0=$(now)
    /usr/bin/time -f "%U %S" -o "$work/cpu" "$1" run "$f" --out "$out" --threads 1 --no-plots >/dev/null 2>&1
    t1=$(now)
    cpu=$(awk '{ print $1 + $2 }' "$work/cpu")
    awk -v n="$2" -v t="$3" -v r="$(reps_for "$2")" -v a="$t0" -v b="$t1" -v c="$cpu" \
        'BEGIN { printf "%.0f %.0f", n * t * r / (b - a), n * t * r / (c > 0.001 ? c : 0.001) }'
}

time_peer() { # script size ticks
    python3 "benches/peers/$1" --time --ticks "$3" \
        --set organization.teams=$(($2 / 10)) --set organization.team_size=10 |
        awk '{ print $(NF - 1) }'
}

best() { # current new -> max
    awk -v a="${1:-0}" -v b="$2" 'BEGIN { print (b > a ? b : a) }'
}

declare -A rate pairs
for n in $sizes; do
    t=$(ticks_for "$n")
    pt=$(peer_ticks_for "$n")
    for r in $(seq "$rounds"); do
        read -r w c <<<"$(time_bin "$bin" "$n" "$t")"
        rate[ps$n]=$(best "${rate[ps$n]:-}" "$w")
        rate[pscpu$n]=$(best "${rate[pscpu$n]:-}" "$c")
        if [ -n "$baseline" ]; then
            read -r bw bc <<<"$(time_bin "$baseline" "$n" "$t")"
            rate[base$n]=$(best "${rate[base$n]:-}" "$bw")
            rate[basecpu$n]=$(best "${rate[basecpu$n]:-}" "$bc")
            # The two builds ran back to back: their ratio in this round.
            pairs[$n]+=" $(awk -v a="$w" -v b="$bw" 'BEGIN { print a / b }')"
        fi
        if [ "$numpy" = 1 ]; then
            rate[np$n]=$(best "${rate[np$n]:-}" "$(time_peer psm_numpy.py "$n" "$pt")")
        fi
        if [ "$mesa" = 1 ] && [ "$n" = 100 ]; then
            rate[mesa$n]=$(best "${rate[mesa$n]:-}" "$(time_peer psm_mesa.py "$n" 200)")
        fi
    done
done

echo "best of $rounds interleaved rounds; professional-steps per second"
printf "%-12s %-14s %14s %14s %10s\n" professionals peer "profspace" "peer" ratio
row() { # size name key
    local p=${rate[ps$1]} q=${rate[$3$1]:-}
    [ -n "$q" ] || return 0
    awk -v n="$1" -v name="$2" -v p="$p" -v q="$q" \
        'BEGIN { printf "%-12s %-14s %12.3f M %12.4f M %9.1fx\n", n, name, p / 1e6, q / 1e6, p / q }'
}
for n in $sizes; do
    row "$n" baseline base
    if [ -n "${rate[basecpu$n]:-}" ]; then
        awk -v n="$n" -v p="${rate[pscpu$n]}" -v q="${rate[basecpu$n]}" \
            'BEGIN { printf "%-12s %-14s %12.3f M %12.4f M %9.1fx\n", n, "baseline (cpu)", p / 1e6, q / 1e6, p / q }'
        # The median of the rounds' ratios, each of two runs back to back:
        # steadier than the ratio of the bests when the machine's speed
        # drifts between rounds.
        printf '%s\n' ${pairs[$n]} | sort -g | awk -v n="$n" \
            '{ r[NR] = $1 } END { m = NR % 2 ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2;
               printf "%-12s %-14s %31s %9.1fx (rounds %.2f-%.2f)\n", n, "baseline (med)", "", m, r[1], r[NR] }'
    fi
    row "$n" numpy np
    row "$n" mesa mesa
    # The baseline against the same peers in the same rounds: how far the
    # ratios moved.
    for peer in np:numpy mesa:mesa; do
        q=${rate[${peer%%:*}$n]:-}
        b=${rate[base$n]:-}
        [ -n "$q" ] && [ -n "$b" ] || continue
        awk -v n="$n" -v name="${peer#*:} (baseline)" -v p="$b" -v q="$q" \
            'BEGIN { printf "%-12s %-14s %12.3f M %12.4f M %9.1fx\n", n, name, p / 1e6, q / 1e6, p / q }'
    done
    [ -n "${rate[base$n]:-}${rate[np$n]:-}${rate[mesa$n]:-}" ] ||
        awk -v n="$n" -v p="${rate[ps$n]}" 'BEGIN { printf "%-12s %-14s %12.3f M\n", n, "-", p / 1e6 }'
done
