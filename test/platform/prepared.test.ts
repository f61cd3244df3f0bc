import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { prepared } from '../../src/platform/database/prepared.js'
import { dialects, givenMigratedDatabase } from '../support/stacks.js'

describe.each(dialects)('prepared queries on %s', (dialect) => {
  let database: Awaited<ReturnType<typeof givenMigratedDatabase>>
  beforeAll(async () => {
    database = await givenMigratedDatabase(dialect)
  })
  afterAll(() => database.drop())

  const insertUser = prepared((db, id: string, name: string, phone: string | null, at: string) =>
    db.insertInto('users').values({
      id,
      email: null,
      name,
      phone,
      password_hash: null,
      role: 'traveler',
      status: 'active',
      created_at: at,
      updated_at: at,
      deleted_at: null,
    }),
  )
  const findUser = prepared((db, id: string) =>
    db.selectFrom('users').select(['id', 'name', 'phone']).where('id', '=', id),
  )
  const addHeld = prepared((db, id: string, seats: number) =>
    db
      .updateTable('traveller_holds')
      .set((eb) => ({ held_seats: eb('held_seats', '+', seats) }))
      .where('user_id', '=', id)
      .where((eb) => eb(eb('held_seats', '+', seats), '<=', 10)),
  )

  it('when run many times with other values (nulls, repeated arguments), then each call uses its own', async () => {
    const at = '2031-01-01T00:00:00.000Z'
    for (const [id, name, phone] of [
      ['usr_p1', 'One', null],
      ['usr_p2', 'Two', '+1 555 0102'],
      ['usr_p3', 'Three', null],
    ] as const) {
      await insertUser(database.db, id, name, phone, at)
      await database.db.insertInto('traveller_holds').values({ user_id: id, held_seats: 0 }).execute()
    }
    expect((await findUser(database.db, 'usr_p2')).rows).toEqual([
      { id: 'usr_p2', name: 'Two', phone: '+1 555 0102' },
    ])
    expect((await findUser(database.db, 'usr_p3')).rows).toEqual([
      { id: 'usr_p3', name: 'Three', phone: null },
    ])
    // `seats` appears twice in the statement; the constant 10 stays a constant.
    expect(Number((await addHeld(database.db, 'usr_p1', 6)).numAffectedRows)).toBe(1)
    expect(Number((await addHeld(database.db, 'usr_p1', 5)).numAffectedRows)).toBe(0)
    expect(Number((await addHeld(database.db, 'usr_p1', 4)).numAffectedRows)).toBe(1)
    const row = await database.db
      .selectFrom('traveller_holds')
      .select('held_seats')
      .where('user_id', '=', 'usr_p1')
      .executeTakeFirstOrThrow()
    expect(row.held_seats).toBe(10)
  })

  it('when used inside a transaction, then it runs in that transaction', async () => {
    await expect(
      database.db.transaction().execute(async (trx) => {
        await addHeld(trx, 'usr_p2', 3)
        throw new Error('roll back')
      }),
    ).rejects.toThrow('roll back')
    const row = await database.db
      .selectFrom('traveller_holds')
      .select('held_seats')
      .where('user_id', '=', 'usr_p2')
      .executeTakeFirstOrThrow()
    expect(row.held_seats).toBe(0)
  })

  it('when an argument would change the SQL instead of being a parameter, then it refuses', async () => {
    const bad = prepared((db, column: string) => db.selectFrom('users').select(sql.ref(column).as('x')))
    await expect(bad(database.db, 'name')).rejects.toThrow('every argument must become a query parameter')
  })
})
