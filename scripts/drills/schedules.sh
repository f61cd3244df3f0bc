#!/bin/sh
# Drill: schedules on three workers run once per tick; an unpaid hold expires on time with nobody asking.
# Sets up what it needs on loopback, prints its figures, exits non-zero when an invariant breaks.
set -e
cd "$(dirname "$0")/../.."

exec npx vitest run test/drills/schedules.test.ts "$@"
