#!/bin/sh
# Drill: two API instances and two workers behind nginx: shared logout, throttle and idempotency; 200 bookings for 10 seats give 10.
# Sets up what it needs on loopback, prints its figures, exits non-zero when an invariant breaks.
set -e
cd "$(dirname "$0")/../.."

exec npx vitest run test/drills/scale-out.test.ts "$@"
