import { type Static, Type } from 'typebox'
import { type Contact, emptyContact } from '../bookings/index.js'

/**
 * Request bodies of the OCTO routes, as the specification writes them. Fields beyond these are
 * ignored (resellers send capability fields we do not implement); a wrong type is BAD_REQUEST; ids
 * are checked by the handlers, so a missing or unknown one gets the specification's own error.
 */
const Id = Type.String({ maxLength: 200 })
const Text = (max: number) => Type.String({ maxLength: max })
const NullableText = (max: number) => Type.Union([Text(max), Type.Null()])

export const ContactBody = Type.Object({
  fullName: Type.Optional(NullableText(200)),
  firstName: Type.Optional(NullableText(100)),
  lastName: Type.Optional(NullableText(100)),
  emailAddress: Type.Optional(Type.Union([Type.String({ format: 'email', maxLength: 254 }), Type.Null()])),
  phoneNumber: Type.Optional(NullableText(50)),
  locales: Type.Optional(Type.Array(Text(35), { maxItems: 10 })),
  postalCode: Type.Optional(NullableText(20)),
  country: Type.Optional(NullableText(2)),
  notes: Type.Optional(NullableText(2000)),
})

const Uuid = Type.String({ format: 'uuid' })

const UnitItemBody = Type.Object({
  uuid: Type.Optional(Uuid),
  unitId: Id,
  resellerReference: Type.Optional(Text(200)),
  contact: Type.Optional(ContactBody),
})
const UnitItems = Type.Array(UnitItemBody, { maxItems: 1000 })
const Units = Type.Array(Type.Object({ id: Id, quantity: Type.Integer({ minimum: 0, maximum: 1000 }) }), {
  maxItems: 20,
})
const LocalDate = Text(10)

export const AvailabilityBody = Type.Object({
  productId: Type.Optional(Id),
  optionId: Type.Optional(Id),
  localDate: Type.Optional(LocalDate),
  localDateStart: Type.Optional(LocalDate),
  localDateEnd: Type.Optional(LocalDate),
  availabilityIds: Type.Optional(Type.Array(Id, { maxItems: 500 })),
  units: Type.Optional(Units),
  currency: Type.Optional(Type.Union([Text(3), Type.Null()])),
})

export const ReservationBody = Type.Object({
  uuid: Type.Optional(Uuid),
  productId: Type.Optional(Id),
  optionId: Type.Optional(Id),
  availabilityId: Type.Optional(Id),
  expirationMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
  notes: Type.Optional(NullableText(2000)),
  unitItems: Type.Optional(UnitItems),
  resellerReference: Type.Optional(Text(200)),
  contact: Type.Optional(ContactBody),
  currency: Type.Optional(Type.Union([Text(3), Type.Null()])),
})

export const ExtendBody = Type.Object({
  expirationMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
})

export const ConfirmBody = Type.Object({
  resellerReference: Type.Optional(Text(200)),
  contact: Type.Optional(ContactBody),
  unitItems: Type.Optional(UnitItems),
  emailReceipt: Type.Optional(Type.Boolean()),
})

export const UpdateBody = Type.Object({
  resellerReference: Type.Optional(Text(200)),
  productId: Type.Optional(Id),
  optionId: Type.Optional(Id),
  availabilityId: Type.Optional(Id),
  expirationMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
  notes: Type.Optional(NullableText(2000)),
  emailReceipt: Type.Optional(Type.Boolean()),
  unitItems: Type.Optional(UnitItems),
  contact: Type.Optional(ContactBody),
})

export const CancelBody = Type.Object({
  reason: Type.Optional(NullableText(500)),
  force: Type.Optional(Type.Boolean()),
})

export const UuidParams = Type.Object({ uuid: Type.String({ maxLength: 100 }) })
export const ProductParams = Type.Object({ id: Type.String({ maxLength: 200 }) })

export const BookingsQuery = Type.Object({
  resellerReference: Type.Optional(Text(200)),
  supplierReference: Type.Optional(Text(100)),
  localDate: Type.Optional(LocalDate),
  localDateStart: Type.Optional(LocalDate),
  localDateEnd: Type.Optional(LocalDate),
})

export type ContactInput = Static<typeof ContactBody>
export type UnitItemInput = Static<typeof UnitItemBody>

/** A contact as sent (fields may be missing) merged over what was known. */
export function contactFrom(input: ContactInput | undefined, known: Contact = emptyContact()): Contact {
  if (!input) return known
  const pick = <K extends keyof Contact>(k: K): Contact[K] =>
    (input[k] === undefined ? known[k] : input[k]) as Contact[K]
  return {
    fullName: pick('fullName'),
    firstName: pick('firstName'),
    lastName: pick('lastName'),
    emailAddress: pick('emailAddress'),
    phoneNumber: pick('phoneNumber'),
    locales: pick('locales'),
    postalCode: pick('postalCode'),
    country: pick('country'),
    notes: pick('notes'),
  }
}
