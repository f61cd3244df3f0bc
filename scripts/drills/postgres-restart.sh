#!/bin/sh
# Drill: PostgreSQL stopped and started under load: the API survives, 503 while it is down, green within 10 s.
# Sets up what it needs on loopback, prints its figures, exits non-zero when an invariant breaks.
set -e
cd "$(dirname "$0")/../.."
export DRILL_PG_DOWN_SECONDS=${DRILL_PG_DOWN_SECONDS:-15}
exec npx vitest run test/drills/postgres-restart.test.ts "$@"
