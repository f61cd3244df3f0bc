import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely'
import type { Dialect } from './database.js'

/**
 * Migrations are code, written once for both dialects; `t` names the few types that differ.
 * Never edit a migration that has shipped: add a new one.
 */
function migrations(dialect: Dialect): Record<string, Migration> {
  const t = {
    ts: dialect === 'postgres' ? sql`timestamptz` : sql`text`,
  }
  return {
    '0001_foundation': {
      // biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then, not today's DB type
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('users')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('email', 'text', (c) => c.unique())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('phone', 'text')
          .addColumn('password_hash', 'text')
          .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('traveler', 'vendor', 'admin')`))
          .addColumn('status', 'text', (c) =>
            c.notNull().check(sql`status in ('active', 'deactivated', 'deleted')`),
          )
          .addColumn('created_at', t.ts, (c) => c.notNull())
          .addColumn('updated_at', t.ts, (c) => c.notNull())
          .addColumn('deleted_at', t.ts)
          .execute()
        await db.schema.createIndex('users_role_created_idx').on('users').columns(['role', 'id']).execute()

        await db.schema
          .createTable('sessions')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
          .addColumn('created_at', t.ts, (c) => c.notNull())
          .addColumn('expires_at', t.ts, (c) => c.notNull())
          .addColumn('revoked_at', t.ts)
          .addColumn('revoked_reason', 'text')
          .execute()
        await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute()

        await db.schema
          .createTable('refresh_tokens')
          .addColumn('token_hash', 'text', (c) => c.primaryKey())
          .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id'))
          .addColumn('created_at', t.ts, (c) => c.notNull())
          .addColumn('expires_at', t.ts, (c) => c.notNull())
          .addColumn('used_at', t.ts)
          .execute()
        await db.schema
          .createIndex('refresh_tokens_session_idx')
          .on('refresh_tokens')
          .column('session_id')
          .execute()

        await db.schema
          .createTable('idempotency_keys')
          .addColumn('scope', 'text', (c) => c.notNull())
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('request_hash', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('running', 'done')`))
          .addColumn('response_status', 'integer')
          .addColumn('response_headers', 'text')
          .addColumn('response_body', 'text')
          .addColumn('locked_until', t.ts, (c) => c.notNull())
          .addColumn('created_at', t.ts, (c) => c.notNull())
          .addColumn('expires_at', t.ts, (c) => c.notNull())
          .addPrimaryKeyConstraint('idempotency_keys_pk', ['scope', 'key'])
          .execute()
        await db.schema
          .createIndex('idempotency_keys_expires_idx')
          .on('idempotency_keys')
          .column('expires_at')
          .execute()

        await db.schema
          .createTable('outbox')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('aggregate_id', 'text', (c) => c.notNull())
          .addColumn('payload', 'text', (c) => c.notNull())
          .addColumn('created_at', t.ts, (c) => c.notNull())
          .addColumn('available_at', t.ts, (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('processed_at', t.ts)
          .addColumn('last_error', 'text')
          .execute()
        await db.schema
          .createIndex('outbox_pending_idx')
          .on('outbox')
          .columns(['processed_at', 'available_at'])
          .execute()
      },
    },
    '0002_vendors_trips': {
      // biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('vendors')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'text', (c) => c.notNull().unique().references('users.id'))
          .addColumn('business_name', 'text', (c) => c.notNull())
          .addColumn('phone', 'text', (c) => c.notNull())
          .addColumn('payout_account', 'text')
          .addColumn('status', 'text', (c) =>
            c.notNull().check(sql`status in ('pending', 'approved', 'rejected', 'suspended')`),
          )
          .addColumn('commission_bps', 'integer', (c) =>
            c.notNull().check(sql`commission_bps >= 0 and commission_bps <= 10000`),
          )
          .addColumn('status_reason', 'text')
          .addColumn('created_at', t.ts, (c) => c.notNull())
          .addColumn('updated_at', t.ts, (c) => c.notNull())
          .execute()
        await db.schema.createIndex('vendors_status_idx').on('vendors').columns(['status', 'id']).execute()

        await db.schema
          .createTable('trips')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('vendor_id', 'text', (c) => c.notNull().references('vendors.id'))
          .addColumn('title', 'text', (c) => c.notNull())
          .addColumn('description', 'text', (c) => c.notNull())
          .addColumn('location', 'text', (c) => c.notNull())
          .addColumn('location_key', 'text', (c) => c.notNull())
          .addColumn('starts_at', t.ts, (c) => c.notNull())
          .addColumn('ends_at', t.ts, (c) => c.notNull())
          .addColumn('timezone', 'text', (c) => c.notNull())
          .addColumn('price_amount', 'integer', (c) => c.notNull().check(sql`price_amount > 0`))
          .addColumn('price_currency', 'text', (c) => c.notNull())
          .addColumn('capacity', 'integer', (c) => c.notNull().check(sql`capacity > 0`))
          .addColumn('seats_taken', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('cancellation_policy', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('published', 'cancelled')`))
          .addColumn('created_at', t.ts, (c) => c.notNull())
          .addColumn('updated_at', t.ts, (c) => c.notNull())
          .addCheckConstraint(
            'trips_seats_within_capacity',
            sql`seats_taken >= 0 and seats_taken <= capacity`,
          )
          .addCheckConstraint('trips_ends_after_start', sql`ends_at > starts_at`)
          .execute()
        // Search walks published trips in departure order (the keyset), filtered on the way.
        await db.schema
          .createIndex('trips_search_idx')
          .on('trips')
          .columns(['status', 'starts_at', 'id'])
          .execute()
        await db.schema
          .createIndex('trips_vendor_idx')
          .on('trips')
          .columns(['vendor_id', 'starts_at', 'id'])
          .execute()
        await db.schema
          .createIndex('trips_location_idx')
          .on('trips')
          .columns(['location_key', 'starts_at', 'id'])
          .execute()
      },
    },
    '0003_bookings': {
      // biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('bookings')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('trip_id', 'text', (c) => c.notNull().references('trips.id'))
          .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
          .addColumn('seats', 'integer', (c) => c.notNull().check(sql`seats > 0`))
          .addColumn('status', 'text', (c) =>
            c.notNull().check(sql`status in ('pending', 'confirmed', 'completed', 'cancelled', 'expired')`),
          )
          .addColumn('unit_price', 'integer', (c) => c.notNull().check(sql`unit_price > 0`))
          .addColumn('total_amount', 'integer', (c) => c.notNull().check(sql`total_amount > 0`))
          .addColumn('currency', 'text', (c) => c.notNull())
          .addColumn('commission_bps', 'integer', (c) => c.notNull())
          .addColumn('hold_expires_at', t.ts, (c) => c.notNull())
          .addColumn('notes', 'text')
          .addColumn('request_key', 'text')
          .addColumn('refund_amount', 'integer')
          .addColumn('refund_commission', 'integer')
          .addColumn('refund_vendor_share', 'integer')
          .addColumn('refund_percent', 'integer')
          .addColumn('cancelled_by', 'text')
          .addColumn('cancel_reason', 'text')
          .addColumn('created_at', t.ts, (c) => c.notNull())
          .addColumn('updated_at', t.ts, (c) => c.notNull())
          .addColumn('confirmed_at', t.ts)
          .addColumn('closed_at', t.ts)
          .addCheckConstraint('bookings_total_is_seats_times_price', sql`total_amount = seats * unit_price`)
          .addCheckConstraint(
            'bookings_refund_within_total',
            sql`refund_amount is null or (refund_amount >= 0 and refund_amount <= total_amount and refund_amount = refund_commission + refund_vendor_share)`,
          )
          .execute()
        await db.schema
          .createIndex('bookings_trip_idx')
          .on('bookings')
          .columns(['trip_id', 'status'])
          .execute()
        await db.schema
          .createIndex('bookings_user_idx')
          .on('bookings')
          .columns(['user_id', 'status', 'id'])
          .execute()
        await db.schema
          .createIndex('bookings_hold_idx')
          .on('bookings')
          .columns(['status', 'hold_expires_at'])
          .execute()
        await db.schema
          .createIndex('bookings_request_key_idx')
          .on('bookings')
          .columns(['user_id', 'request_key'])
          .unique()
          .execute()
      },
    },
    '0004_booking_holds_index': {
      // biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then
      async up(db: Kysely<any>) {
        // A traveller's live holds are counted on every booking: lead with the user, or the planner
        // walks every pending booking of everyone through bookings_hold_idx.
        await db.schema
          .createIndex('bookings_user_holds_idx')
          .on('bookings')
          .columns(['user_id', 'status', 'hold_expires_at'])
          .execute()
      },
    },
    '0005_held_seats': {
      // biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then
      async up(db: Kysely<any>) {
        // The per-traveller hold limit as a counter taken by a conditional UPDATE (like trips.seats_taken):
        // no separate lock statement, and the same guard on both dialects.
        await db.schema
          .alterTable('users')
          .addColumn('held_seats', 'integer', (c) => c.notNull().defaultTo(0).check(sql`held_seats >= 0`))
          .execute()
        await sql`update users set held_seats = (select coalesce(sum(seats), 0) from bookings
          where bookings.user_id = users.id and bookings.status = 'pending')`.execute(db)
      },
    },
    '0006_sessions_revoked_index': {
      // biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then
      async up(db: Kysely<any>) {
        // Recent revocations are re-published to the denylist whenever the shared cache comes back.
        await db.schema.createIndex('sessions_revoked_idx').on('sessions').column('revoked_at').execute()
      },
    },
    '0007_traveller_holds': {
      // biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then
      async up(db: Kysely<any>) {
        // The seats a traveller holds belong to bookings, in a table of its own (not a column of users
        // that bookings wrote). A row appears on a traveller's first hold.
        await db.schema
          .createTable('traveller_holds')
          .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id'))
          .addColumn('held_seats', 'integer', (c) => c.notNull().check(sql`held_seats >= 0`))
          .execute()
        await sql`insert into traveller_holds (user_id, held_seats)
          select user_id, sum(seats) from bookings where status = 'pending' group by user_id`.execute(db)
        await db.schema.alterTable('users').dropColumn('held_seats').execute()
      },
    },
    '0008_payments': {
      // biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('payments')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('booking_id', 'text', (c) => c.notNull().references('bookings.id'))
          .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
          .addColumn('amount', 'integer', (c) => c.notNull().check(sql`amount > 0`))
          .addColumn('currency', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) =>
            c.notNull().check(sql`status in ('processing', 'requires_action', 'succeeded', 'failed')`),
          )
          .addColumn('payment_method', 'text', (c) => c.notNull())
          .addColumn('provider', 'text', (c) => c.notNull())
          .addColumn('provider_id', 'text')
          .addColumn('client_secret', 'text')
          .addColumn('failure_code', 'text')
          .addColumn('failure_message', 'text')
          // Refunds reserve their amount here first: the sum refunded can never pass what was captured.
          .addColumn('refunded_amount', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('created_at', t.ts, (c) => c.notNull())
          .addColumn('updated_at', t.ts, (c) => c.notNull())
          .addColumn('settled_at', t.ts)
          .addCheckConstraint(
            'payments_refunds_within_amount',
            sql`refunded_amount >= 0 and refunded_amount <= amount`,
          )
          .execute()
        // One payment per booking in flight or succeeded: a second charge cannot even be recorded.
        await db.schema
          .createIndex('payments_one_live_per_booking')
          .on('payments')
          .column('booking_id')
          .unique()
          .where(sql.ref('status'), 'in', sql`('processing', 'requires_action', 'succeeded')`)
          .execute()
        await db.schema
          .createIndex('payments_booking_idx')
          .on('payments')
          .columns(['booking_id', 'id'])
          .execute()
        await db.schema
          .createIndex('payments_status_idx')
          .on('payments')
          .columns(['status', 'updated_at'])
          .execute()
        await db.schema.createIndex('payments_provider_idx').on('payments').column('provider_id').execute()

        await db.schema
          .createTable('refunds')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('payment_id', 'text', (c) => c.notNull().references('payments.id'))
          .addColumn('booking_id', 'text', (c) => c.notNull().references('bookings.id'))
          .addColumn('amount', 'integer', (c) => c.notNull().check(sql`amount > 0`))
          .addColumn('currency', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) =>
            c.notNull().check(sql`status in ('processing', 'succeeded', 'failed')`),
          )
          .addColumn('reason', 'text')
          .addColumn('provider_id', 'text')
          .addColumn('failure_message', 'text')
          .addColumn('created_at', t.ts, (c) => c.notNull())
          .addColumn('updated_at', t.ts, (c) => c.notNull())
          .execute()
        await db.schema
          .createIndex('refunds_payment_idx')
          .on('refunds')
          .columns(['payment_id', 'id'])
          .execute()
        await db.schema
          .createIndex('refunds_status_idx')
          .on('refunds')
          .columns(['status', 'updated_at'])
          .execute()

        // The mock gateway keeps its objects here, as a provider would: keyed by our idempotency key.
        await db.schema
          .createTable('mock_gateway_objects')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('id', 'text', (c) => c.notNull().unique())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('request_hash', 'text', (c) => c.notNull())
          .addColumn('object', 'text', (c) => c.notNull())
          .addColumn('created_at', t.ts, (c) => c.notNull())
          .execute()
      },
    },
    '0009_webhook_events': {
      // biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then
      async up(db: Kysely<any>) {
        // Provider events already applied, by the provider's event id: a redelivery changes nothing.
        await db.schema
          .createTable('webhook_events')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('received_at', t.ts, (c) => c.notNull())
          .execute()
      },
    },
    '0010_invoices': {
      // biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then
      async up(db: Kysely<any>) {
        // Invoice numbers are sequential without gaps, allocated once per booking (under its lock).
        await db.schema
          .createTable('counters')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('value', 'integer', (c) => c.notNull())
          .execute()
        await db.insertInto('counters').values({ name: 'invoice', value: 0 }).execute()
        await db.schema
          .createTable('invoices')
          .addColumn('booking_id', 'text', (c) => c.primaryKey().references('bookings.id'))
          .addColumn('number', 'integer', (c) => c.notNull().unique())
          .addColumn('issued_at', t.ts, (c) => c.notNull())
          .execute()
      },
    },
    '0011_event_delivery': {
      // biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then
      async up(db: Kysely<any>) {
        // One row per (event, handler) that took effect, written in the handler's own transaction:
        // a redelivered event finds it and does nothing.
        await db.schema
          .createTable('processed_events')
          .addColumn('event_id', 'text', (c) => c.notNull())
          .addColumn('handler', 'text', (c) => c.notNull())
          .addColumn('processed_at', t.ts, (c) => c.notNull())
          .addPrimaryKeyConstraint('processed_events_pk', ['event_id', 'handler'])
          .execute()
        await db.schema
          .createIndex('processed_events_at_idx')
          .on('processed_events')
          .column('processed_at')
          .execute()
        // An event whose handlers kept failing waits here for an admin's retry.
        await db.schema.alterTable('outbox').addColumn('failed_at', t.ts).execute()
        // Mails go out in the traveller's language where known.
        await db.schema.alterTable('users').addColumn('language', 'text').execute()
      },
    },
    '0012_payouts': {
      // biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then
      async up(db: Kysely<any>) {
        await db.schema
          .alterTable('vendors')
          .addColumn('payout_schedule', 'text', (c) =>
            c.notNull().defaultTo('weekly').check(sql`payout_schedule in ('weekly', 'monthly')`),
          )
          .execute()
        // The vendor ledger: appended, never changed in amount; balances are sums. (kind, source_id)
        // is unique, so an event handled twice cannot credit twice.
        await db.schema
          .createTable('ledger_entries')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('vendor_id', 'text', (c) => c.notNull().references('vendors.id'))
          .addColumn('currency', 'text', (c) => c.notNull())
          .addColumn('amount', 'bigint', (c) => c.notNull())
          .addColumn('kind', 'text', (c) =>
            c.notNull().check(sql`kind in ('booking', 'refund', 'payout', 'payout_reversal', 'adjustment')`),
          )
          .addColumn('booking_id', 'text')
          .addColumn('source_id', 'text', (c) => c.notNull())
          .addColumn('payout_id', 'text')
          .addColumn('reason', 'text')
          .addColumn('created_by', 'text')
          .addColumn('created_at', t.ts, (c) => c.notNull())
          .addUniqueConstraint('ledger_entries_source_key', ['kind', 'source_id'])
          .execute()
        await db.schema
          .createIndex('ledger_entries_open_idx')
          .on('ledger_entries')
          .columns(['vendor_id', 'currency', 'payout_id', 'created_at'])
          .execute()
        await db.schema
          .createIndex('ledger_entries_booking_idx')
          .on('ledger_entries')
          .column('booking_id')
          .execute()
        // One payout (or carried record) per vendor, currency and period, whatever runs at once.
        await db.schema
          .createTable('payouts')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('vendor_id', 'text', (c) => c.notNull().references('vendors.id'))
          .addColumn('currency', 'text', (c) => c.notNull())
          .addColumn('period', 'text', (c) => c.notNull())
          .addColumn('period_start', t.ts, (c) => c.notNull())
          .addColumn('period_end', t.ts, (c) => c.notNull())
          .addColumn('amount', 'bigint', (c) => c.notNull())
          .addColumn('status', 'text', (c) =>
            c.notNull().check(sql`status in ('processing', 'paid', 'failed', 'carried')`),
          )
          .addColumn('reason', 'text')
          .addColumn('destination', 'text')
          .addColumn('provider_id', 'text')
          .addColumn('created_at', t.ts, (c) => c.notNull())
          .addColumn('updated_at', t.ts, (c) => c.notNull())
          .addColumn('paid_at', t.ts)
          .addUniqueConstraint('payouts_period_key', ['vendor_id', 'currency', 'period'])
          .execute()
        await db.schema
          .createIndex('payouts_status_idx')
          .on('payouts')
          .columns(['status', 'created_at'])
          .execute()
        await db.schema
          .createTable('vendor_tax_flags')
          .addColumn('vendor_id', 'text', (c) => c.notNull().references('vendors.id'))
          .addColumn('year', 'integer', (c) => c.notNull())
          .addColumn('total_paid', 'bigint', (c) => c.notNull())
          .addColumn('flagged_at', t.ts, (c) => c.notNull())
          .addPrimaryKeyConstraint('vendor_tax_flags_pk', ['vendor_id', 'year'])
          .execute()
      },
    },
    '0013_admin_audit': {
      // biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then
      async up(db: Kysely<any>) {
        // Admin actions on record, written by the action's own transaction.
        await db.schema
          .createTable('admin_audit')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('actor_id', 'text', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('target_type', 'text', (c) => c.notNull())
          .addColumn('target_id', 'text', (c) => c.notNull())
          .addColumn('before', 'text')
          .addColumn('after', 'text')
          .addColumn('at', t.ts, (c) => c.notNull())
          .execute()
        await db.schema
          .createIndex('admin_audit_target_idx')
          .on('admin_audit')
          .columns(['target_id', 'id'])
          .execute()
        await db.schema
          .createIndex('admin_audit_actor_idx')
          .on('admin_audit')
          .columns(['actor_id', 'id'])
          .execute()
        // Admin lists filter on these.
        await db.schema.createIndex('users_created_idx').on('users').columns(['created_at', 'id']).execute()
        await db.schema
          .createIndex('bookings_created_idx')
          .on('bookings')
          .columns(['created_at', 'id'])
          .execute()
      },
    },
    '0014_outbox_due_index': {
      // biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then
      async up(db: Kysely<any>) {
        // The delivery query (undelivered, not parked, due, oldest first) read from an index in its own
        // order: a batch costs its size, not a sort of the whole backlog (81 → … events/s in the bench
        // with a backlog of tens of thousands).
        await db.schema
          .createIndex('outbox_due_idx')
          .on('outbox')
          .columns(['available_at', 'id'])
          .where(sql.ref('processed_at'), 'is', null)
          .where(sql.ref('failed_at'), 'is', null)
          .execute()
      },
    },
    '0015_booking_change_notices': {
      // biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then
      async up(db: Kysely<any>) {
        // Every change of a booking, its payments or refunds, by any writer, notifies the booking id
        // after commit (platform/database/change-feed.ts): cached booking reads are dropped on it.
        // SQLite has no NOTIFY: each process puts temporary triggers on its own connection instead.
        if (dialect !== 'postgres') return
        await sql`
          create function travellr_booking_changed() returns trigger language plpgsql as $$
          declare
            target text;
          begin
            -- One branch per table shape: a branch not taken is never planned.
            if tg_table_name = 'bookings' then
              if tg_op = 'DELETE' then target := old.id; else target := new.id; end if;
            else
              if tg_op = 'DELETE' then target := old.booking_id; else target := new.booking_id; end if;
            end if;
            perform pg_notify('travellr_booking_changed', target);
            return null;
          end $$`.execute(db)
        for (const table of ['bookings', 'payments', 'refunds'])
          await sql`
            create trigger ${sql.raw(`${table}_changed`)} after insert or update or delete on ${sql.table(table)}
            for each row execute function travellr_booking_changed()`.execute(db)
      },
    },
    '0016_trips_ends_index': {
      // biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then
      async up(db: Kysely<any>) {
        // The completion job starts from the trips that have ended.
        await db.schema.createIndex('trips_ends_idx').on('trips').column('ends_at').execute()
      },
    },
    '0017_products_and_resellers': {
      // biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then
      async up(db: Kysely<any>) {
        // A product groups departures (trips) sold as one thing; it keeps how they were scheduled.
        await db.schema
          .createTable('products')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('vendor_id', 'text', (c) => c.notNull().references('vendors.id'))
          .addColumn('title', 'text', (c) => c.notNull())
          .addColumn('description', 'text', (c) => c.notNull())
          .addColumn('location', 'text', (c) => c.notNull())
          .addColumn('timezone', 'text', (c) => c.notNull())
          .addColumn('duration_minutes', 'integer', (c) => c.notNull().check(sql`duration_minutes > 0`))
          .addColumn('schedule', 'text', (c) => c.notNull())
          .addColumn('created_at', t.ts, (c) => c.notNull())
          .addColumn('updated_at', t.ts, (c) => c.notNull())
          .execute()
        await db.schema
          .createIndex('products_vendor_idx')
          .on('products')
          .columns(['vendor_id', 'id'])
          .execute()
        await db.schema
          .alterTable('trips')
          .addColumn('product_id', 'text', (c) => c.references('products.id'))
          .execute()
        // One departure of a product per start instant: the instant names the departure to resellers.
        await db.schema
          .createIndex('trips_product_start_idx')
          .on('trips')
          .columns(['product_id', 'starts_at'])
          .unique()
          .where(sql.ref('product_id'), 'is not', null)
          .execute()
        // Every existing trip becomes a product of one departure.
        const trips = await db
          .selectFrom('trips')
          .select([
            'id',
            'vendor_id',
            'title',
            'description',
            'location',
            'timezone',
            'starts_at',
            'ends_at',
            'created_at',
          ])
          .execute()
        for (const trip of trips) {
          const productId = `prd_${String(trip.id).slice(4)}`
          const minutes = Math.max(
            1,
            Math.round((Date.parse(trip.ends_at) - Date.parse(trip.starts_at)) / 60_000),
          )
          await db
            .insertInto('products')
            .values({
              id: productId,
              vendor_id: trip.vendor_id,
              title: trip.title,
              description: trip.description,
              location: trip.location,
              timezone: trip.timezone,
              duration_minutes: minutes,
              schedule: JSON.stringify({ kind: 'single' }),
              created_at: trip.created_at,
              updated_at: trip.created_at,
            })
            .execute()
          await db.updateTable('trips').set({ product_id: productId }).where('id', '=', trip.id).execute()
        }

        // A reseller (an OTA, an agent) acts through an account of its own that can never sign in.
        await allowRole(db, dialect, ['traveler', 'vendor', 'admin', 'reseller'])
        await db.schema
          .createTable('resellers')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'text', (c) => c.notNull().unique().references('users.id'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('contact_email', 'text', (c) => c.notNull())
          .addColumn('max_held_seats', 'integer', (c) => c.notNull().check(sql`max_held_seats > 0`))
          .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active', 'suspended')`))
          .addColumn('created_at', t.ts, (c) => c.notNull())
          .addColumn('updated_at', t.ts, (c) => c.notNull())
          .execute()
        // A vendor's catalogue opened to a reseller at a commission, reached with one API key (hashed).
        await db.schema
          .createTable('reseller_access')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('reseller_id', 'text', (c) => c.notNull().references('resellers.id'))
          .addColumn('vendor_id', 'text', (c) => c.notNull().references('vendors.id'))
          .addColumn('commission_bps', 'integer', (c) =>
            c.notNull().check(sql`commission_bps >= 0 and commission_bps < 10000`),
          )
          .addColumn('key_hash', 'text', (c) => c.notNull().unique())
          .addColumn('key_hint', 'text', (c) => c.notNull())
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('created_at', t.ts, (c) => c.notNull())
          .addColumn('revoked_at', t.ts)
          .addColumn('revoked_by', 'text')
          .execute()
        await db.schema
          .createIndex('reseller_access_live_idx')
          .on('reseller_access')
          .columns(['vendor_id', 'reseller_id'])
          .unique()
          .where(sql.ref('revoked_at'), 'is', null)
          .execute()

        // Bookings say which channel sold them; a reseller's carry its references and what it owes.
        await db.schema
          .alterTable('bookings')
          .addColumn('channel', 'text', (c) =>
            c.notNull().defaultTo('direct').check(sql`channel in ('direct', 'octo')`),
          )
          .execute()
        for (const [column, type] of [
          ['reseller_id', 'text'],
          ['access_id', 'text'],
          ['octo_uuid', 'text'],
          ['reseller_reference', 'text'],
          ['contact', 'text'],
          ['unit_items', 'text'],
          ['net_amount', 'integer'],
        ] as const)
          await db.schema.alterTable('bookings').addColumn(column, type).execute()
        // A reseller's uuid is its idempotency key: the same uuid can never make two bookings.
        await db.schema
          .createIndex('bookings_octo_uuid_idx')
          .on('bookings')
          .columns(['reseller_id', 'octo_uuid'])
          .unique()
          .where(sql.ref('octo_uuid'), 'is not', null)
          .execute()
        await db.schema
          .createIndex('bookings_reseller_reference_idx')
          .on('bookings')
          .columns(['reseller_id', 'reseller_reference'])
          .where(sql.ref('reseller_id'), 'is not', null)
          .execute()
      },
    },
  }
}

/**
 * Replaces the CHECK on users.role. PostgreSQL alters the constraint; SQLite cannot, so the table is
 * rebuilt from its own definition with the new list (foreign keys off meanwhile, one transaction).
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then
async function allowRole(db: Kysely<any>, dialect: Dialect, roles: string[]): Promise<void> {
  const list = sql.join(roles.map((r) => sql.lit(r)))
  if (dialect === 'postgres') {
    const found = await sql<{ conname: string }>`select conname from pg_constraint
      where conrelid = 'users'::regclass and contype = 'c' and pg_get_constraintdef(oid) like '%role%'`.execute(
      db,
    )
    for (const { conname } of found.rows)
      await sql`alter table users drop constraint ${sql.ref(conname)}`.execute(db)
    await sql`alter table users add constraint users_role_check check (role in (${list}))`.execute(db)
    return
  }
  const objects = await sql<{ type: string; name: string; sql: string | null }>`
    select type, name, sql from sqlite_master where tbl_name = 'users'`.execute(db)
  const table = objects.rows.find((o) => o.type === 'table')!.sql!
  const rebuilt = table
    .replace(/^CREATE TABLE "?users"?/i, 'create table "users_rebuilt"')
    .replace(/role in \([^)]*\)/, `role in (${roles.map((r) => `'${r}'`).join(', ')})`)
  if (rebuilt === table || !rebuilt.includes('reseller'))
    throw new Error('users table definition not as expected')
  await sql`pragma foreign_keys = off`.execute(db)
  try {
    await sql`begin`.execute(db)
    await sql.raw(rebuilt).execute(db)
    await sql`insert into users_rebuilt select * from users`.execute(db)
    await sql`drop table users`.execute(db)
    await sql`alter table users_rebuilt rename to users`.execute(db)
    for (const index of objects.rows)
      if (index.type === 'index' && index.sql) await sql.raw(index.sql).execute(db)
    await sql`commit`.execute(db)
  } catch (err) {
    await sql`rollback`.execute(db)
    throw err
  } finally {
    await sql`pragma foreign_keys = on`.execute(db)
  }
}

// biome-ignore lint/suspicious/noExplicitAny: the migrator works on any schema
export async function migrateToLatest(db: Kysely<any>, dialect: Dialect): Promise<string[]> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(dialect) }
  const migrator = new Migrator({ db, provider })
  const { error, results } = await migrator.migrateToLatest()
  if (error) throw error
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
}

/** Migrates up to and including one migration: for tests of a migration against data written before it. */
// biome-ignore lint/suspicious/noExplicitAny: the migrator works on any schema
export async function migrateUpTo(db: Kysely<any>, dialect: Dialect, name: string): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(dialect) }
  const { error } = await new Migrator({ db, provider }).migrateTo(name)
  if (error) throw error
}
