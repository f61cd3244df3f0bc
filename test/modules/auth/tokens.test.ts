import { randomBytes } from 'node:crypto'
import { SignJWT, UnsecuredJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectProblem, givenUser, type SignedUp } from '../../support/builders.js'
import { givenApp, stacks, type TestEnv } from '../../support/stacks.js'

describe.each(stacks)('access tokens on $name', (stack) => {
  let env: TestEnv
  let user: SignedUp
  let claims: Record<string, unknown>
  let key: Uint8Array
  beforeAll(async () => {
    env = await givenApp(stack)
    user = await givenUser(env.app)
    claims = JSON.parse(Buffer.from(user.token.split('.')[1]!, 'base64url').toString())
    key = new TextEncoder().encode(env.c.config.jwtSecret)
  })
  afterAll(() => env.close())

  const me = (token: string) =>
    env.app.inject({ url: '/api/v1/users/me', headers: { authorization: `Bearer ${token}` } })
  const sign = (payload: Record<string, unknown>, alg = 'HS256', secret = key) =>
    new SignJWT(payload).setProtectedHeader({ alg }).sign(secret)
  const now = () => Math.floor(Date.now() / 1000)

  it('when the token is valid, then 200', async () => {
    expect((await me(user.token)).statusCode).toBe(200)
  })

  it('when there is no token, then 401 with WWW-Authenticate', async () => {
    const res = await env.app.inject('/api/v1/users/me')
    expectProblem(res, 401, 'auth.token_missing')
    expect(res.headers['www-authenticate']).toBe('Bearer')
  })

  const attacks: [string, () => Promise<string>][] = [
    ['alg none', async () => new UnsecuredJWT(claims).encode()],
    [
      'alg none with our signature kept',
      async () => {
        const [, body, sig] = user.token.split('.')
        return `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${body}.${sig}`
      },
    ],
    ['a swapped algorithm (HS512, same key)', () => sign(claims, 'HS512')],
    [
      'a flipped bit in the payload',
      async () => {
        const [h, body, sig] = user.token.split('.')
        const bytes = Buffer.from(body!, 'base64url')
        bytes[bytes.length - 3]! ^= 1
        return `${h}.${bytes.toString('base64url')}.${sig}`
      },
    ],
    [
      'a flipped bit in the signature',
      async () => {
        const [h, body, sig] = user.token.split('.')
        const bytes = Buffer.from(sig!, 'base64url')
        bytes[0]! ^= 1
        return `${h}.${body}.${bytes.toString('base64url')}`
      },
    ],
    ['a stripped signature', async () => `${user.token.split('.').slice(0, 2).join('.')}.`],
    ['exp one second ago', () => sign({ ...claims, iat: now() - 3600, exp: now() - 1 })],
    ['the wrong iss', () => sign({ ...claims, iss: 'someone-else' })],
    ['the wrong aud', () => sign({ ...claims, aud: 'another-api' })],
    ['no jti', () => sign({ ...claims, jti: undefined })],
    ['another key', () => sign(claims, 'HS256', randomBytes(48))],
    ['a role we do not have', () => sign({ ...claims, role: 'root' })],
    ['garbage', async () => 'not.a.jwt'],
  ]
  it.each(attacks)('when the token has %s, then 401', async (_name, make) => {
    const res = await me(await make())
    expectProblem(res, 401)
    expect(res.json().code).toMatch(/^auth\.token_(invalid|missing)$/)
  })

  it('when a forged token re-signs our claims with our own key, then it works (the control for the cases above)', async () => {
    expect((await me(await sign(claims))).statusCode).toBe(200)
  })
})
