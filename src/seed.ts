import type { Container } from './container.js'
import { registerUser } from './modules/auth/index.js'
import { grantAccess, registerReseller } from './modules/resellers/index.js'
import { createProduct, createTrip } from './modules/trips/index.js'
import { createAdmin, userRepository } from './modules/users/index.js'
import { changeVendorStatus, registerVendor } from './modules/vendors/index.js'
import type { Actor } from './shared/actor.js'
import { zonedInstant } from './shared/time.js'

export const DEMO_ACCOUNTS = [
  { role: 'admin', email: 'admin@travellr.local', password: 'Admin-Demo-Pass-2026', name: 'Ada Admin' },
  { role: 'vendor', email: 'vendor@travellr.local', password: 'Vendor-Demo-Pass-2026', name: 'Vasco Vendor' },
  {
    role: 'traveler',
    email: 'traveller@travellr.local',
    password: 'Traveller-Demo-Pass-2026',
    name: 'Tess Traveller',
  },
] as const

const DEMO_TRIPS = [
  {
    title: 'Lisbon old town and a fado night',
    location: 'Lisbon, Portugal',
    timezone: 'Europe/Lisbon',
    days: 10,
    at: '19:00',
    hours: 4,
    price: { amount: 7500, currency: 'EUR' },
    capacity: 12,
  },
  {
    title: 'Kyoto temples at dawn',
    location: 'Kyoto, Japan',
    timezone: 'Asia/Tokyo',
    days: 21,
    at: '05:30',
    hours: 5,
    price: { amount: 12000, currency: 'JPY' },
    capacity: 8,
  },
  {
    title: 'Hudson Valley fall hike',
    location: 'New York, USA',
    timezone: 'America/New_York',
    days: 14,
    at: '08:00',
    hours: 9,
    price: { amount: 8900, currency: 'USD' },
    capacity: 20,
  },
  {
    title: 'Cape Point sunset drive',
    location: 'Cape Town, South Africa',
    timezone: 'Africa/Johannesburg',
    days: 30,
    at: '16:00',
    hours: 6,
    price: { amount: 145000, currency: 'ZAR' },
    capacity: 6,
  },
  {
    title: 'Sintra palaces day trip',
    location: 'Sintra, Portugal',
    timezone: 'Europe/Lisbon',
    days: 45,
    at: '09:00',
    hours: 8,
    price: { amount: 6500, currency: 'EUR' },
    capacity: 15,
  },
]

/**
 * Seeds demo data once, into an empty database only, through the real use cases: accounts, trips, a
 * product with weekly departures, and a reseller with access to the vendor's catalogue (its OCTO key
 * is returned to be shown once).
 */
export async function seedDemo(c: Container): Promise<{ resellerKey: string } | false> {
  if ((await userRepository.count(c.db)) > 0) return false
  const [adminSpec, vendorSpec, travellerSpec] = DEMO_ACCOUNTS
  const admin = await createAdmin(c, adminSpec)
  const { vendor, user } = await registerVendor(c, {
    ...vendorSpec,
    businessName: 'Vasco da Gama Tours',
    phone: '+351 912 345 678',
    ip: 'seed',
    payoutAccount: 'PT50000201231234567890154',
  })
  const adminActor: Actor = { userId: admin.id, role: 'admin', sessionId: 'seed' }
  await changeVendorStatus(c, adminActor, vendor.id, 'approved', null)
  await registerUser(c, { ...travellerSpec, ip: 'seed' })
  const vendorActor: Actor = { userId: user.id, role: 'vendor', sessionId: 'seed' }
  const today = c.clock.now()
  for (const t of DEMO_TRIPS) {
    const day = new Date(today.getTime() + t.days * 86_400_000).toISOString().slice(0, 10)
    const startsAt = zonedInstant(day, t.at, t.timezone)
    await createTrip(c, vendorActor, {
      title: t.title,
      description: `${t.title}, with a local guide. Small group, all tickets included.`,
      location: t.location,
      startsAt,
      endsAt: new Date(Date.parse(startsAt) + t.hours * 3_600_000).toISOString(),
      timezone: t.timezone,
      price: t.price,
      capacity: t.capacity,
    })
  }
  const from = new Date(today.getTime() + 86_400_000).toISOString().slice(0, 10)
  const to = new Date(today.getTime() + 56 * 86_400_000).toISOString().slice(0, 10)
  await createProduct(c, vendorActor, {
    title: 'Porto riverside walk and port tasting',
    description: 'Ribeira, the Dom Luís I bridge and a port lodge in Gaia, with a local guide.',
    location: 'Porto, Portugal',
    timezone: 'Europe/Lisbon',
    durationMinutes: 180,
    price: { amount: 3900, currency: 'EUR' },
    capacity: 16,
    schedule: { kind: 'weekly', daysOfWeek: [2, 4, 6], startTimes: ['10:00', '15:00'], from, to },
  })
  const reseller = await registerReseller(c, adminActor, {
    name: 'Demo OTA',
    contactEmail: 'ota@travellr.local',
  })
  const { key } = await grantAccess(c, vendorActor, {
    vendorId: vendor.id,
    resellerId: reseller.id,
    commissionBps: 1500,
  })
  return { resellerKey: key }
}
