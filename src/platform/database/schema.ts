import type { ColumnType, Generated } from 'kysely'

/**
 * Timestamps are RFC 3339 strings in UTC on both dialects: TEXT on SQLite (always written by
 * toISOString, so they compare as text), timestamptz on PostgreSQL (read back as ISO strings).
 */
export type Timestamp = ColumnType<string, string, string>

export interface UsersTable {
  id: string
  email: string | null
  name: string
  phone: string | null
  password_hash: string | null
  role: 'traveler' | 'vendor' | 'admin' | 'reseller'
  status: 'active' | 'deactivated' | 'deleted'
  created_at: Timestamp
  updated_at: Timestamp
  deleted_at: Timestamp | null
  /** Language for mails (e.g. 'en', 'fr'); null: English. */
  language: string | null
}

/** A sign-in: the family of refresh tokens that descend from one login. */
export interface SessionsTable {
  id: string
  user_id: string
  created_at: Timestamp
  expires_at: Timestamp
  revoked_at: Timestamp | null
  revoked_reason: string | null
}

export interface RefreshTokensTable {
  /** sha256 of the token; the token itself is never stored. */
  token_hash: string
  session_id: string
  created_at: Timestamp
  expires_at: Timestamp
  used_at: Timestamp | null
}

export interface IdempotencyKeysTable {
  scope: string
  key: string
  request_hash: string
  state: 'running' | 'done'
  response_status: number | null
  response_headers: string | null
  response_body: string | null
  locked_until: Timestamp
  created_at: Timestamp
  expires_at: Timestamp
}

export interface OutboxTable {
  id: string
  type: string
  aggregate_id: string
  payload: string
  created_at: Timestamp
  available_at: Timestamp
  attempts: number
  processed_at: Timestamp | null
  last_error: string | null
  failed_at: Timestamp | null
}

/** An event handler that took effect (see platform/events). */
export interface ProcessedEventsTable {
  event_id: string
  handler: string
  processed_at: Timestamp
}

export interface VendorsTable {
  id: string
  user_id: string
  business_name: string
  phone: string
  payout_account: string | null
  payout_schedule: Generated<'weekly' | 'monthly'>
  status: 'pending' | 'approved' | 'rejected' | 'suspended'
  commission_bps: number
  status_reason: string | null
  created_at: Timestamp
  updated_at: Timestamp
}

export interface TripsTable {
  id: string
  vendor_id: string
  title: string
  description: string
  location: string
  /** lower(location): searched without a function call on each row. */
  location_key: string
  starts_at: Timestamp
  ends_at: Timestamp
  timezone: string
  price_amount: number
  price_currency: string
  capacity: number
  /** Seats held by pending bookings plus seats of confirmed ones; CHECK keeps it within capacity. */
  seats_taken: number
  cancellation_policy: string
  status: 'published' | 'cancelled'
  created_at: Timestamp
  updated_at: Timestamp
  /** The product this departure belongs to (null only for rows written outside the API, e.g. bench seeds). */
  product_id: string | null
}

export interface ProductsTable {
  id: string
  vendor_id: string
  title: string
  description: string
  location: string
  timezone: string
  duration_minutes: number
  /** JSON: how the departures were scheduled (weekly, dates, or single). */
  schedule: string
  created_at: Timestamp
  updated_at: Timestamp
}

export interface ResellersTable {
  id: string
  /** The account its bookings belong to (role 'reseller'; it has no password and never signs in). */
  user_id: string
  name: string
  contact_email: string
  /** Seats its pending reservations may hold at once (the hold-limit guard's limit for it). */
  max_held_seats: number
  status: 'active' | 'suspended'
  created_at: Timestamp
  updated_at: Timestamp
}

export interface ResellerAccessTable {
  id: string
  reseller_id: string
  vendor_id: string
  /** The reseller's commission off the retail price, in basis points: it owes the rest (net). */
  commission_bps: number
  /** SHA-256 of the API key; the key itself is shown once. */
  key_hash: string
  key_hint: string
  created_by: string
  created_at: Timestamp
  revoked_at: Timestamp | null
  revoked_by: string | null
}

export interface BookingsTable {
  id: string
  trip_id: string
  user_id: string
  seats: number
  status: 'pending' | 'confirmed' | 'completed' | 'cancelled' | 'expired'
  unit_price: number
  total_amount: number
  currency: string
  /** The vendor's commission at booking time, in basis points; later changes do not touch it. */
  commission_bps: number
  hold_expires_at: Timestamp
  notes: string | null
  /** The client's Idempotency-Key: a retry after a crash finds the booking instead of making another. */
  request_key: string | null
  refund_amount: number | null
  refund_commission: number | null
  refund_vendor_share: number | null
  refund_percent: number | null
  cancelled_by: 'traveler' | 'vendor' | 'admin' | 'system' | 'reseller' | null
  cancel_reason: string | null
  created_at: Timestamp
  updated_at: Timestamp
  confirmed_at: Timestamp | null
  closed_at: Timestamp | null
  channel: Generated<'direct' | 'octo'>
  reseller_id: string | null
  access_id: string | null
  /** The reseller's booking uuid (OCTO): its idempotency key, unique per reseller. */
  octo_uuid: string | null
  reseller_reference: string | null
  /** JSON: the OCTO contact of the booking. */
  contact: string | null
  /** JSON: the OCTO unit items (one per seat: uuid, reseller reference, contact). */
  unit_items: string | null
  /** What the reseller owes for it: the total less the reseller's commission. */
  net_amount: number | null
}

/** Seats a traveller's pending bookings hold (the hold limit's counter); kept by every booking change. */
export interface TravellerHoldsTable {
  user_id: string
  held_seats: number
}

export interface PaymentsTable {
  id: string
  booking_id: string
  user_id: string
  amount: number
  currency: string
  status: 'processing' | 'requires_action' | 'succeeded' | 'failed'
  payment_method: string
  provider: string
  provider_id: string | null
  client_secret: string | null
  failure_code: string | null
  failure_message: string | null
  refunded_amount: number
  created_at: Timestamp
  updated_at: Timestamp
  settled_at: Timestamp | null
}

export interface RefundsTable {
  id: string
  payment_id: string
  booking_id: string
  amount: number
  currency: string
  status: 'processing' | 'succeeded' | 'failed'
  reason: string | null
  provider_id: string | null
  failure_message: string | null
  created_at: Timestamp
  updated_at: Timestamp
}

export interface MockGatewayObjectsTable {
  key: string
  id: string
  kind: string
  request_hash: string
  object: string
  created_at: Timestamp
}

export interface WebhookEventsTable {
  id: string
  type: string
  received_at: Timestamp
}

export interface CountersTable {
  name: string
  value: number
}

export interface InvoicesTable {
  booking_id: string
  number: number
  issued_at: Timestamp
}

export interface LedgerEntriesTable {
  id: string
  vendor_id: string
  currency: string
  /** Signed minor units. */
  amount: number
  kind: 'booking' | 'refund' | 'payout' | 'payout_reversal' | 'adjustment'
  booking_id: string | null
  /** What the entry comes from (booking, refund, payout or adjustment id): unique per kind. */
  source_id: string
  /** The payout that covers it; null while it waits for one. */
  payout_id: string | null
  reason: string | null
  created_by: string | null
  created_at: Timestamp
}

export interface PayoutsTable {
  id: string
  vendor_id: string
  currency: string
  period: string
  period_start: Timestamp
  period_end: Timestamp
  amount: number
  status: 'processing' | 'paid' | 'failed' | 'carried'
  reason: string | null
  destination: string | null
  provider_id: string | null
  created_at: Timestamp
  updated_at: Timestamp
  paid_at: Timestamp | null
}

export interface VendorTaxFlagsTable {
  vendor_id: string
  year: number
  total_paid: number
  flagged_at: Timestamp
}

/** An admin action on record (platform/audit.ts). */
export interface AdminAuditTable {
  id: string
  actor_id: string
  action: string
  target_type: string
  target_id: string
  /** JSON of the state before and after, or null. */
  before: string | null
  after: string | null
  at: Timestamp
}

export interface DB {
  users: UsersTable
  sessions: SessionsTable
  refresh_tokens: RefreshTokensTable
  idempotency_keys: IdempotencyKeysTable
  outbox: OutboxTable
  processed_events: ProcessedEventsTable
  vendors: VendorsTable
  trips: TripsTable
  products: ProductsTable
  resellers: ResellersTable
  reseller_access: ResellerAccessTable
  bookings: BookingsTable
  traveller_holds: TravellerHoldsTable
  payments: PaymentsTable
  refunds: RefundsTable
  mock_gateway_objects: MockGatewayObjectsTable
  webhook_events: WebhookEventsTable
  counters: CountersTable
  invoices: InvoicesTable
  ledger_entries: LedgerEntriesTable
  payouts: PayoutsTable
  vendor_tax_flags: VendorTaxFlagsTable
  admin_audit: AdminAuditTable
}
