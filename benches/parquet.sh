#!/usr/bin/env bash
# A 1 000 000-row agents table as CSV and as Parquet: file sizes, and how
# long pandas takes to read each (best of 5, in one process). Needs a
# Python with pandas and pyarrow (e.g. the one `.ci/run` builds:
# PYTHON=target/python-ci/bin/python).
#
#   bash benches/parquet.sh
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
dir=$(mktemp -d /tmp/profspace-parquet.XXXXXX)
trap 'rm -rf "$dir"' EXIT
cat >"$dir/agents.toml" <<'TOML'
name = "agents"
ticks = 50
replications = 1
[organization]
teams = 1000
team_size = 100
[output]
format = "parquet"
ticks_every = 0
agents_at = [0, 5, 10, 15, 20, 25, 30, 35, 40, 45]
TOML
cargo build --release -q
./target/release/profspace run "$dir/agents.toml" --out "$dir/out" --no-plots >/dev/null 2>&1
"$python" - "$dir/out" <<'PY'
import os, sys, time
import pandas as pd
out = sys.argv[1]
csv, pq = os.path.join(out, "agents.csv"), os.path.join(out, "agents.parquet")

def best(read):
    times = []
    for _ in range(5):
        t = time.perf_counter()
        frame = read()
        times.append(time.perf_counter() - t)
    return min(times), frame

t_csv, a = best(lambda: pd.read_csv(csv))
t_pq, b = best(lambda: pd.read_parquet(pq))
assert len(a) == len(b) == 1_000_000, (len(a), len(b))
mb = lambda p: os.path.getsize(p) / 1e6
print(f"rows            {len(a):,}")
print(f"CSV             {mb(csv):8.1f} MB   pandas.read_csv     {t_csv:6.3f} s")
print(f"Parquet         {mb(pq):8.1f} MB   pandas.read_parquet {t_pq:6.3f} s")
print(f"Parquet / CSV   {mb(pq) / mb(csv):8.2f} size  {t_pq / t_csv:6.2f} read time")
print(f"pandas {pd.__version__}")
PY
