#!/usr/bin/env bash
# The long "Crashes and full disks" campaign of issue 18 (docs/reliability/crash-disk.md):
# 60 kill -9 trials (10 per phase: import, train, checkpoint, sample, export, label-budget), the
# power-loss checkpoint/database test and the full-disk test, on the wasm engine (about 10 minutes
# on 2 cores). Needs root (the full disk is a tmpfs mount) and a build (`npm run build`; vitest
# rebuilds a stale out/ itself).
# Usage: scripts/crash-trials.sh [seed, default 18]   (npm test runs the 10-trial version)
set -euo pipefail
cd "$(dirname "$0")/.."
export DGMW_CAMPAIGN_SCALE=full
export DGMW_CRASH_SEED="${1:-${DGMW_CRASH_SEED:-18}}"
exec npx vitest run tests/reliability/crashTrials.test.ts tests/reliability/diskFull.test.ts
