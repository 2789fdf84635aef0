#!/usr/bin/env bash
# The bad-files campaign at full size (issue 18): 2,000 generated files — broken, hostile and odd —
# through the importer (twice) and `dgmw predict`, with the same assertions as the CI-sized
# tests/reliability/badFiles.test.ts (200 files, in `npm test`). Figures (files per kind, outcomes,
# peak RSS, durations) are printed and written to a JSON file.
# Usage: scripts/fuzz-bad-files.sh [seed] [figures.json]   (default seed 182000, figures in $TMPDIR)
set -euo pipefail
cd "$(dirname "$0")/.."
export DGMW_CAMPAIGN_SCALE=full
export DGMW_BAD_FILES_SEED="${1:-182000}"
export DGMW_BAD_FILES_FIGURES="${2:-${TMPDIR:-/tmp}/bad-files-figures-$DGMW_BAD_FILES_SEED.json}"
started=$(date +%s)
npx vitest run tests/reliability/badFiles.test.ts
echo "bad-files campaign: seed $DGMW_BAD_FILES_SEED, $(($(date +%s) - started)) s; figures in $DGMW_BAD_FILES_FIGURES"
