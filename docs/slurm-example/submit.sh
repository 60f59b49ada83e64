#!/bin/bash
# Submits the job array, then the merge job to start when every task succeeded.
set -euo pipefail
cd /home/you/profspace/output/regimes-slurm
array=$(sbatch --parsable array.sbatch)
array="${array%%;*}"
merge=$(sbatch --parsable --dependency=afterok:"$array" merge.sbatch)
merge="${merge%%;*}"
echo "array job $array (4 tasks), merge job $merge"
echo "$array $merge" > /home/you/profspace/output/regimes-slurm/jobs
