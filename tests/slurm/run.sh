#!/usr/bin/env bash
# End-to-end test of `profspace slurm` on a real Slurm: starts a single-node
# cluster on localhost (tests/slurm/cluster.sh: slurmctld + slurmd + munge
# from the system's packages), submits the generated job array for a small
# sweep in 3 shards plus its merge job, waits with a bounded timeout, and
# checks that the merged tables are byte-identical to a local sweep of the
# same scenario. Every daemon it started is stopped, whatever happens.
#
# Needs root (package installation, daemons). Called from .ci/run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${PROFSPACE_BIN:-$root/target/debug/profspace}
timeout_s=${SLURM_TEST_TIMEOUT:-300}

if [ "$(id -u)" -ne 0 ]; then
    echo "tests/slurm/run.sh: needs root to install Slurm and start its daemons" >&2
    exit 1
fi
[ -x "$bin" ] || cargo build --manifest-path "$root/Cargo.toml" --bin profspace

work=$(mktemp -d /tmp/profspace-slurm-test.XXXXXX)
chmod 755 "$work"   # munged wants every folder above its socket searchable
export SLURMTEST_BASE=$work/cluster
passed=0
cleanup() {
    bash "$here/cluster.sh" stop >/dev/null 2>&1 || bash "$here/cluster.sh" stop || true
    if [ "$passed" = 1 ]; then rm -rf "$work"; else echo "kept $work for inspection" >&2; fi
}
trap cleanup EXIT INT TERM

echo "== starting a single-node Slurm cluster"
bash "$here/cluster.sh" start
eval "$(bash "$here/cluster.sh" env)"

cat > "$work/small.toml" <<'TOML'
name = "slurm-small"
ticks = 40
replications = 4
[organization]
teams = 4
team_size = 6
[output]
ticks_every = 5
[sweep.grid]
coupling = ["zero_sum", "freedom_safety"]
"managers.focus" = [0.2, 0.5, 0.8]
TOML

echo "== generating and submitting the job array (3 shards) and the merge job"
"$bin" slurm "$work/small.toml" --shards 3 --out "$work/jobs" --time 00:10:00 --mem 1G
bash "$work/jobs/submit.sh"
read -r array merge < "$work/jobs/jobs"

deadline=$(( $(date +%s) + timeout_s ))
while [ -n "$(squeue -h -j "$array,$merge" 2>/dev/null)" ]; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
        echo "timeout after ${timeout_s}s; queue:" >&2
        squeue -j "$array,$merge" >&2 || true
        exit 1
    fi
    if squeue -h -j "$merge" -o '%r' 2>/dev/null | grep -q DependencyNeverSatisfied; then
        echo "an array task failed; logs:" >&2
        tail -n 20 "$work"/jobs/logs/*.out >&2 || true
        exit 1
    fi
    sleep 1
done

state() { scontrol -o show job "$1" 2>/dev/null | head -1 | tr ' ' '\n' | sed -n "s/^JobState=//p"; }
for k in 0 1 2; do
    s=$(state "${array}_$k")
    echo "array task ${array}_$k: $s"
    [ "$s" = COMPLETED ] || { tail -n 20 "$work/jobs/logs/shard-$k.out" >&2; exit 1; }
done
s=$(state "$merge")
echo "merge job $merge: $s"
[ "$s" = COMPLETED ] || { cat "$work/jobs/logs/merge.out" >&2; exit 1; }

echo "== comparing with a local sweep"
"$bin" sweep "$work/small.toml" --out "$work/local" --no-plots >/dev/null 2>&1
for f in design.csv runs.csv ticks.csv aggregate.csv; do
    cmp "$work/local/$f" "$work/jobs/merged/$f"
    echo "  $f identical"
done
[ -f "$work/jobs/merged/plots/timeseries.png" ] || { echo "the merge drew no charts" >&2; exit 1; }
echo "== Slurm test passed"
passed=1
