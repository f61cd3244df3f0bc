#!/bin/sh
# Drill: slowloris headers, trickled bodies and 50 MB bodies: others served, each cut (408/413), memory flat.
# Sets up what it needs on loopback, prints its figures, exits non-zero when an invariant breaks.
set -e
cd "$(dirname "$0")/../.."
export DRILL_SLOW_CLIENTS=${DRILL_SLOW_CLIENTS:-1000}
exec npx vitest run test/drills/slow-clients.test.ts "$@"
