#!/usr/bin/env bash
# The cluster scale measurement of issue 19 (docs/cluster-scale.md): one real tiny run on the
# one-node Slurm cluster as a template, then 1,000 runs (a 100-run label-budget experiment among
# them) queued in one burst as one job array whose jobs replay it (scripts/cluster-replay-job.sh),
# ingested by a real workbench while the UI's requests are timed. Needs the cluster
# (scripts/slurm-cluster.sh start, as root) and a build (`npx electron-vite build`) for the
# template's `dgmw train`. About 10 minutes on 2 busy cores.
# Figures: printed, and as JSON in ${DGMW_CLUSTER_SCALE_REPORT:-bench/cluster-scale.json}.
# DGMW_CLUSTER_SCALE_RUNS=500 queues fewer (at most 1,000: Slurm's default MaxArraySize is 1001).
set -euo pipefail
cd "$(dirname "$0")/.."
export DGMW_CAMPAIGN_SCALE=full
export DGMW_CLUSTER_SCALE_REPORT="${DGMW_CLUSTER_SCALE_REPORT:-$PWD/bench/cluster-scale.json}"
npx vitest run tests/main/cluster/clusterScale.test.ts --testTimeout 3600000 "$@"
echo "Cluster scale figures written to $DGMW_CLUSTER_SCALE_REPORT"
