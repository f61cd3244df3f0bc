#!/bin/sh
# Drill: kill -9 of API and worker processes every few seconds under mixed load: nothing acknowledged is lost, every event handled once, nobody charged twice.
# Sets up what it needs on loopback, prints its figures, exits non-zero when an invariant breaks.
set -e
cd "$(dirname "$0")/../.."
export DRILL_SECONDS=${DRILL_SECONDS:-60}
exec npx vitest run test/drills/crash.test.ts "$@"
