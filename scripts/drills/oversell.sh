#!/bin/sh
# Drill: 200 concurrent bookings for 10 seats through two API processes (SQLite and PostgreSQL): exactly 10, no 5xx.
# Sets up what it needs on loopback, prints its figures, exits non-zero when an invariant breaks.
set -e
cd "$(dirname "$0")/../.."

exec npx vitest run test/drills/overbooking.test.ts "$@"
