#!/usr/bin/env bash
# The long soak of issue 18: 2,000 runs and 50 denser datasets timed through the dispatch, then
# 400 short trainings in one workbench (host RSS and worker tensors sampled after each).
# 3 to 9 minutes on 2 busy cores. Figures: printed, and as JSON in ${DGMW_SOAK_REPORT:-soak-report.json}.
set -euo pipefail
cd "$(dirname "$0")/.."
export DGMW_CAMPAIGN_SCALE=full
export DGMW_SOAK_REPORT="${DGMW_SOAK_REPORT:-$PWD/soak-report.json}"
npx vitest run tests/reliability/soak.test.ts --testTimeout 1800000 "$@"
echo "Soak figures written to $DGMW_SOAK_REPORT"
