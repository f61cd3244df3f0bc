#!/bin/sh
# Drill: the API killed between the provider's charge and its record: reconciliation confirms the booking with one charge.
# Sets up what it needs on loopback, prints its figures, exits non-zero when an invariant breaks.
set -e
cd "$(dirname "$0")/../.."

exec npx vitest run test/drills/payment-crash.test.ts "$@"
