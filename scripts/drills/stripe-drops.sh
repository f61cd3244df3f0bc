#!/bin/sh
# Drill: the Stripe test server commits and drops the connection for 70% of requests: one charge, refund or transfer per idempotency key.
# Sets up what it needs on loopback, prints its figures, exits non-zero when an invariant breaks.
set -e
cd "$(dirname "$0")/../.."
export DRILL_STRIPE_TRAVELLERS=${DRILL_STRIPE_TRAVELLERS:-60}
exec npx vitest run test/drills/stripe-drops.test.ts "$@"
