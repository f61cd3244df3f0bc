import type { Container } from './container.js'
import { userRepository } from './modules/users/index.js'
import type { Role } from './shared/actor.js'
import { newId } from './shared/ids.js'

export const DEMO_ACCOUNTS = [
  { email: 'admin@travellr.local', password: 'Admin-Demo-Pass-2026', name: 'Ada Admin', role: 'admin' },
  {
    email: 'traveller@travellr.local',
    password: 'Traveller-Demo-Pass-2026',
    name: 'Tess Traveller',
    role: 'traveler',
  },
] as const satisfies readonly { email: string; password: string; name: string; role: Role }[]

/** Seeds demo data once, into an empty database only. Returns false when there was data already. */
export async function seedDemo(c: Container): Promise<boolean> {
  if ((await userRepository.count(c.db)) > 0) return false
  const now = c.clock.now()
  const hashes = await Promise.all(DEMO_ACCOUNTS.map((a) => c.passwords.hash(a.password)))
  await c.db.transaction().execute(async (trx) => {
    for (const [i, a] of DEMO_ACCOUNTS.entries()) {
      await userRepository.insert(trx, {
        id: newId('usr', now.getTime()),
        email: a.email,
        name: a.name,
        phone: null,
        passwordHash: hashes[i]!,
        role: a.role,
        now,
      })
    }
  })
  return true
}
