#!/bin/sh
# Drill: cancellations, confirmations, expiries, seat changes and payments racing on the same bookings: the books balance, no 5xx.
# Sets up what it needs on loopback, prints its figures, exits non-zero when an invariant breaks.
set -e
cd "$(dirname "$0")/../.."

exec npx vitest run test/drills/booking-races.test.ts "$@"
