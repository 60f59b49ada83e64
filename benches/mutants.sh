#!/usr/bin/env bash
# Mutation testing, sized for a 2-core machine: one deterministic shard of
# the mutants (cargo-mutants) of a set of files, tested by the tests that
# name rules, never by those that compare quoted numbers or stored output
# (tests/tutorial.rs, tests/docs.rs). A benchmark of the tests, not part of
# CI; TESTING.md records the scores and every surviving mutant.
#
#   cargo install cargo-mutants --locked
#   bash benches/mutants.sh rules 3/10      # the model's rules: kernel, step, frame, observe
#   bash benches/mutants.sh analysis 3/10   # contrasts, PRIM, stats
#   bash benches/mutants.sh diff            # the mutants of your change against main
#   bash benches/mutants.sh rules 3/10 --iterate   # again, skipping those caught before
#
# Results: target/mutants/<set>-<k>/mutants.out/ (caught.txt, missed.txt,
# timeout.txt, unviable.txt). About a minute per mutant here.
set -euo pipefail
cd "$(dirname "$0")/.."
set_name=${1:?usage: benches/mutants.sh rules|analysis|diff [K/N]}
shard=${2:-0/10}
shift $(($# < 2 ? $# : 2))
extra=("$@")
case "$set_name" in
rules)
    files=(-f src/model/psm/kernel.rs -f src/model/psm/step.rs -f src/model/psm/frame.rs -f src/observe.rs)
    tests=(--lib --test it -- golden:: events:: observation:: facts:: hot_loops:: observe:: model::psm::)
    ;;
analysis)
    files=(-f src/analysis/contrast.rs -f 'src/analysis/prim*' -f src/stats.rs)
    tests=(--lib --test it -- analysis:: precision:: stats::)
    ;;
diff)
    git diff main > target/mutants.diff
    files=(--in-diff target/mutants.diff)
    tests=(--lib --test it -- golden:: events:: observation:: facts:: observe:: model:: analysis:: calibrate:: diagnose:: stats::)
    shard=0/1
    ;;
*)
    echo "unknown set $set_name: rules, analysis or diff" >&2
    exit 2
    ;;
esac
out="target/mutants/$set_name-${shard%%/*}"
mkdir -p "$out"
cargo mutants --profile mutants --shard "$shard" --sharding round-robin "${files[@]}" \
    --output "$out" -j 1 --timeout-multiplier 3 ${extra[@]+"${extra[@]}"} -- "${tests[@]}" || true
for f in caught missed timeout unviable; do
    printf '%-8s %s\n' "$f" "$(wc -l <"$out/mutants.out/$f.txt" 2>/dev/null || echo 0)"
done
