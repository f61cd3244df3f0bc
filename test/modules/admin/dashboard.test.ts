import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { type Browser, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectProblem, givenAdmin, givenUser, givenVendor, STRONG_PASSWORD } from '../../support/builders.js'
import { root } from '../../support/processes.js'
import { givenApp, stacks, type TestEnv } from '../../support/stacks.js'

/** Debian's chromium, headless, as CI runs it (.ci/run installs it when missing). */
const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
}

describe('the admin dashboard in headless Chromium', () => {
  let env: TestEnv
  let browser: Browser
  let base: string
  beforeAll(async () => {
    env = await givenApp(stacks[0]!)
    base = await env.app.listen({ host: '127.0.0.1', port: 0 })
    browser = await chromium.launch(CHROMIUM)
  })
  afterAll(async () => {
    await browser?.close()
    await env.close()
  })

  it('when an admin signs in, then the page shows the API’s figures, and a click approves a pending vendor', async () => {
    const admin = await givenAdmin(env)
    const approved = await givenVendor(env.app, admin)
    const pending = await givenVendor(env.app, admin, 'pending')
    const traveller = await givenUser(env.app)
    const trip = (
      await env.app.inject({
        method: 'POST',
        url: '/api/v1/trips',
        headers: approved.auth,
        payload: {
          title: 'Dashboard trip',
          description: '',
          location: 'Porto',
          starts_at: new Date(Date.now() + 5 * 86_400_000).toISOString(),
          ends_at: new Date(Date.now() + 5 * 86_400_000 + 3_600_000).toISOString(),
          timezone: 'Europe/Lisbon',
          price: { amount: 12_500, currency: 'EUR' },
          capacity: 10,
        },
      })
    ).json()
    const booking = (
      await env.app.inject({
        method: 'POST',
        url: '/api/v1/bookings',
        headers: traveller.auth,
        payload: { trip_id: trip.id, seats: 2 },
      })
    ).json()
    await env.app.inject({
      method: 'POST',
      url: '/api/v1/payments',
      headers: traveller.auth,
      payload: { booking_id: booking.id, payment_method: 'pm_card_visa' },
    })

    const page = await browser.newPage({ viewport: { width: 390, height: 844 } })
    const errors: string[] = []
    page.on('pageerror', (err) => errors.push(err.message))
    await page.goto(`${base}/admin`)
    await page.getByLabel('Email').fill(admin.email)
    await page.getByLabel('Password').fill(STRONG_PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()

    // The figures shown are the API's, for the same range.
    const captured = page.locator('[data-currency="EUR"] [data-figure="captured"]')
    await expect.poll(() => captured.textContent(), { timeout: 15_000 }).toBe('€250.00')
    await expect
      .poll(() => page.locator('[data-currency="EUR"] [data-figure="bookings-made"]').textContent())
      .toBe('1')
    await expect
      .poll(() => page.locator('[data-currency="EUR"] [data-figure="platform-revenue"]').textContent())
      .toBe('€50.00')
    await expect
      .poll(() => page.locator('#recent-bookings tbody tr').first().textContent())
      .toContain(booking.id)

    // Approve the pending vendor with a click: the row and the API both say approved.
    const row = page.locator(`#pending-vendors tr[data-vendor-id="${pending.id}"]`)
    await row.getByRole('button', { name: /^Approve/ }).click()
    await expect.poll(() => row.locator('[data-field="status"]').textContent()).toBe('approved')
    const after = await env.app.inject({ url: `/api/v1/vendors/${pending.id}`, headers: admin.auth })
    expect(after.json().status).toBe('approved')
    await expect.poll(() => page.locator('#status').textContent()).toContain('is approved')

    const out = join(root, 'test-results')
    mkdirSync(out, { recursive: true })
    await page.screenshot({ path: join(out, 'admin-dashboard.png'), fullPage: true })
    expect(errors).toEqual([])
    await page.close()
  })

  it('when a traveller signs in on the page, then it is turned away; the page and its script come from this server', async () => {
    const traveller = await givenUser(env.app)
    const page = await browser.newPage()
    const hosts = new Set<string>()
    page.on('request', (request) => hosts.add(new URL(request.url()).host))
    await page.goto(`${base}/admin/`)
    await page.getByLabel('Email').fill(traveller.email)
    await page.getByLabel('Password').fill(STRONG_PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect.poll(() => page.locator('#status').textContent()).toBe('This account is not an admin.')
    expect(await page.locator('#dashboard').isHidden()).toBe(true)
    expect([...hosts]).toEqual([new URL(base).host])
    expectProblem(
      await env.app.inject({
        url: '/api/v1/admin/analytics?from=2031-01-01T00:00:00Z&to=2031-01-02T00:00:00Z',
        headers: traveller.auth,
      }),
      403,
    )
    await page.close()
  })
})
