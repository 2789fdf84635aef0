#!/usr/bin/env bash
# The long bad-requests campaign (issue 18): 50,000 requests over the WebSocket and 10,000 through
# in-process dispatch, against a real browser server on a seeded data directory.
# Usage: scripts/fuzz-requests.sh [seed]   (figures are printed at the end as "bad-requests figures")
set -euo pipefail
cd "$(dirname "$0")/.."
DGMW_CAMPAIGN_SCALE=full DGMW_FUZZ_SEED="${1:-18}" exec npx vitest run tests/reliability/badRequests.test.ts
