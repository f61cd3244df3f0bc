// Travellr admin dashboard: plain JavaScript over the JSON API (/api/v1), no framework.
'use strict'

const API = '/api/v1'
const TOKEN_KEY = 'travellr.admin.token'
const $ = (selector) => document.querySelector(selector)
const status = (text) => {
  $('#status').textContent = text
}

async function api(method, path, body) {
  const token = sessionStorage.getItem(TOKEN_KEY)
  const res = await fetch(API + path, {
    method,
    headers: {
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...(token && { authorization: `Bearer ${token}` }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const data = res.status === 204 ? undefined : await res.json()
  if (res.status === 401 && path !== '/auth/login') signOut()
  if (!res.ok) throw new Error(data?.detail ?? `HTTP ${res.status}`)
  return data
}

/** Money in minor units, shown with its currency's own decimals. */
function money(amount, currency) {
  const format = new Intl.NumberFormat('en', { style: 'currency', currency })
  const digits = format.resolvedOptions().maximumFractionDigits
  return format.format(amount / 10 ** digits)
}
const percent = (rate) => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`)

function cell(row, text, className) {
  const td = document.createElement('td')
  td.textContent = text
  if (className) td.className = className
  row.appendChild(td)
  return td
}

const charts = []

function renderFigures(analytics) {
  for (const chart of charts.splice(0)) chart.destroy()
  const root = $('#figures')
  root.replaceChildren()
  if (analytics.currencies.length === 0) {
    root.textContent = 'Nothing happened in this range.'
    return
  }
  for (const c of analytics.currencies) {
    const block = document.createElement('section')
    block.dataset.currency = c.currency
    const title = document.createElement('h3')
    title.textContent = c.currency
    block.appendChild(title)
    const cards = document.createElement('dl')
    cards.className = 'cards'
    const figures = [
      ['bookings-made', 'Bookings made', String(c.bookings.made)],
      ['gross-booking-value', 'Gross booking value', money(c.gross_booking_value, c.currency)],
      ['captured', 'Captured', money(c.captured, c.currency)],
      ['refunded', 'Refunded', money(c.refunded, c.currency)],
      ['platform-revenue', 'Platform revenue', money(c.platform_revenue, c.currency)],
      ['vendor-share', 'Vendors’ share', money(c.vendor_share, c.currency)],
      ['payouts-paid', 'Payouts paid', money(c.payouts_paid, c.currency)],
      ['owed-to-vendors', 'Owed to vendors', money(c.owed_to_vendors, c.currency)],
      ['occupancy', 'Occupancy', `${percent(c.occupancy.rate)} (${c.occupancy.seats_sold}/${c.occupancy.capacity})`],
      ['cancellation-rate', 'Cancellation rate', percent(c.cancellation_rate)],
    ]
    for (const [id, label, value] of figures) {
      const card = document.createElement('div')
      card.className = 'card'
      const dt = document.createElement('dt')
      dt.textContent = label
      const dd = document.createElement('dd')
      dd.textContent = value
      dd.dataset.figure = id
      card.append(dt, dd)
      cards.appendChild(card)
    }
    block.appendChild(cards)
    const canvas = document.createElement('canvas')
    canvas.setAttribute('role', 'img')
    canvas.setAttribute('aria-label', `${c.currency}: captured, refunded and platform revenue by ${analytics.interval}`)
    block.appendChild(canvas)
    root.appendChild(block)
    if (window.Chart) {
      const major = (n) => n / 10 ** new Intl.NumberFormat('en', { style: 'currency', currency: c.currency }).resolvedOptions().maximumFractionDigits
      charts.push(
        new window.Chart(canvas, {
          type: 'line',
          data: {
            labels: c.series.map((s) => s.bucket),
            datasets: [
              { label: 'Captured', data: c.series.map((s) => major(s.captured)) },
              { label: 'Refunded', data: c.series.map((s) => major(s.refunded)) },
              { label: 'Platform revenue', data: c.series.map((s) => major(s.platform_revenue)) },
            ],
          },
          options: { animation: false, responsive: true, maintainAspectRatio: false },
        }),
      )
    }
  }
}

async function loadFigures() {
  const from = new Date(`${$('#from').value}T00:00:00Z`).toISOString()
  const to = new Date(`${$('#to').value}T00:00:00Z`).toISOString()
  const query = new URLSearchParams({ from, to, interval: $('#interval').value })
  renderFigures(await api('GET', `/admin/analytics?${query}`))
}

async function decide(vendor, verb, row) {
  try {
    const body = verb === 'reject' ? { reason: prompt('Why is this vendor rejected?') || 'Not approved' } : undefined
    const changed = await api('POST', `/admin/vendors/${vendor.id}/${verb}`, body)
    row.querySelector('[data-field="status"]').textContent = changed.status
    for (const button of row.querySelectorAll('button')) button.disabled = true
    status(`${vendor.business_name} is ${changed.status}.`)
  } catch (err) {
    status(`Could not ${verb} ${vendor.business_name}: ${err.message}`)
  }
}

async function loadVendors() {
  const body = $('#pending-vendors tbody')
  body.replaceChildren()
  const { data } = await api('GET', '/admin/vendors?status=pending&limit=50')
  for (const vendor of data) {
    const row = document.createElement('tr')
    row.dataset.vendorId = vendor.id
    cell(row, vendor.business_name)
    cell(row, vendor.status).dataset.field = 'status'
    const actions = cell(row, '')
    for (const [verb, label] of [
      ['approve', 'Approve'],
      ['reject', 'Reject'],
    ]) {
      const button = document.createElement('button')
      button.type = 'button'
      button.textContent = label
      button.className = verb === 'reject' ? 'secondary' : ''
      button.setAttribute('aria-label', `${label} ${vendor.business_name}`)
      button.addEventListener('click', () => decide(vendor, verb, row))
      actions.appendChild(button)
    }
    body.appendChild(row)
  }
  if (data.length === 0) cell(body.insertRow(), 'No vendor is waiting.')
}

async function loadBookings() {
  const body = $('#recent-bookings tbody')
  body.replaceChildren()
  const { data } = await api('GET', '/admin/bookings?limit=10')
  for (const b of data) {
    const row = body.insertRow()
    cell(row, b.id)
    cell(row, b.status)
    cell(row, String(b.seats), 'num')
    cell(row, money(b.total.amount, b.total.currency), 'num')
    cell(row, new Date(b.created_at).toLocaleString())
  }
}

async function loadJobs() {
  const body = $('#failed-jobs tbody')
  body.replaceChildren()
  const { data } = await api('GET', '/admin/jobs?state=failed&limit=20')
  for (const job of data) {
    const row = body.insertRow()
    cell(row, `${job.name} (${job.id})`)
    cell(row, job.kind)
    cell(row, job.error ?? '')
    const button = document.createElement('button')
    button.type = 'button'
    button.textContent = 'Retry'
    button.addEventListener('click', async () => {
      try {
        await api('POST', `/admin/jobs/${encodeURIComponent(job.id)}/retry`)
        button.disabled = true
        status(`Job ${job.id} queued again.`)
      } catch (err) {
        status(`Could not retry ${job.id}: ${err.message}`)
      }
    })
    cell(row, '').appendChild(button)
  }
  if (data.length === 0) cell(body.insertRow(), 'No failed job.')
}

async function showDashboard() {
  $('#sign-in-section').hidden = true
  $('#dashboard').hidden = false
  $('#sign-out').hidden = false
  const today = new Date()
  const tomorrow = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + 1))
  if (!$('#to').value) $('#to').value = tomorrow.toISOString().slice(0, 10)
  if (!$('#from').value) $('#from').value = new Date(tomorrow.getTime() - 30 * 86_400_000).toISOString().slice(0, 10)
  status('Loading…')
  const results = await Promise.allSettled([loadFigures(), loadVendors(), loadBookings(), loadJobs()])
  const failed = results.filter((r) => r.status === 'rejected')
  status(failed.length === 0 ? 'Up to date.' : `Some parts did not load: ${failed.map((f) => f.reason.message).join('; ')}`)
}

function signOut() {
  sessionStorage.removeItem(TOKEN_KEY)
  $('#dashboard').hidden = true
  $('#sign-out').hidden = true
  $('#sign-in-section').hidden = false
}

$('#sign-in').addEventListener('submit', async (event) => {
  event.preventDefault()
  try {
    const signedIn = await api('POST', '/auth/login', { email: $('#email').value, password: $('#password').value })
    if (signedIn.user.role !== 'admin') {
      status('This account is not an admin.')
      return
    }
    sessionStorage.setItem(TOKEN_KEY, signedIn.access_token)
    $('#password').value = ''
    await showDashboard()
  } catch (err) {
    status(`Could not sign in: ${err.message}`)
  }
})
$('#range').addEventListener('submit', (event) => {
  event.preventDefault()
  loadFigures().then(
    () => status('Up to date.'),
    (err) => status(`Could not load the figures: ${err.message}`),
  )
})
$('#sign-out').addEventListener('click', signOut)
if (sessionStorage.getItem(TOKEN_KEY)) showDashboard()
