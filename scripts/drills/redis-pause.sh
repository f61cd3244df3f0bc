#!/bin/sh
# Drill: Redis frozen (kill -STOP) under load: no 5xx, every event delivered after it resumes.
# Sets up what it needs on loopback, prints its figures, exits non-zero when an invariant breaks.
set -e
cd "$(dirname "$0")/../.."
export DRILL_REDIS_STOP_SECONDS=${DRILL_REDIS_STOP_SECONDS:-60}
exec npx vitest run test/drills/redis-outage.test.ts "$@"
