import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startWorker } from '../../../src/worker.js'
import { expectProblem, givenAdmin, givenUser } from '../../support/builders.js'
import { freePort } from '../../support/processes.js'
import { startSmtp, type TestSmtp } from '../../support/smtp.js'
import { givenApp, stacks, type TestEnv } from '../../support/stacks.js'

describe.each(stacks)('admin jobs on $name', (stack) => {
  let env: TestEnv
  let worker: { stop(): Promise<void> }
  let smtpPort: number
  let smtp: TestSmtp | undefined
  let admin: Awaited<ReturnType<typeof givenAdmin>>

  beforeAll(async () => {
    // The mail relay is down at first: nothing listens on its port.
    smtpPort = await freePort()
    env = await givenApp(
      stack,
      {},
      { SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, JOB_ATTEMPTS: '2', JOB_BACKOFF_MS: '20' },
    )
    worker = await startWorker(env.c)
    admin = await givenAdmin(env)
  })
  afterAll(async () => {
    await worker.stop()
    await env.close()
    await smtp?.close()
  })

  const failedJobs = async () => {
    const res = await env.app.inject({ url: '/api/v1/admin/jobs?state=failed', headers: admin.auth })
    expect(res.statusCode, res.body).toBe(200)
    return res.json().data as { id: string; name: string; kind: string; attempts: number; error: string }[]
  }

  it('when a mail cannot be sent, then its job fails after its attempts, an admin lists it and a retry sends it once the relay is back', async () => {
    const user = await givenUser(env.app)
    await expect.poll(async () => (await failedJobs()).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(1)
    const jobs = await failedJobs()
    const welcome = jobs.find((j) => j.name === 'user.registered')!
    expect(welcome).toMatchObject({ kind: 'event', attempts: 2 })
    expect(welcome.error).toMatch(/mail\.welcome/)

    // Non-admins do not see or touch the queue; unknown ids are 404.
    expectProblem(
      await env.app.inject({ url: '/api/v1/admin/jobs?state=failed', headers: user.auth }),
      403,
      'admin.required',
    )
    expectProblem(
      await env.app.inject({
        method: 'POST',
        url: `/api/v1/admin/jobs/${welcome.id}/retry`,
        headers: user.auth,
      }),
      403,
      'admin.required',
    )
    expectProblem(
      await env.app.inject({ method: 'POST', url: '/api/v1/admin/jobs/evt_nope/retry', headers: admin.auth }),
      404,
      'job.not_found',
    )
    expectProblem(await env.app.inject({ url: '/api/v1/admin/jobs?state=done', headers: admin.auth }), 400)

    smtp = await startSmtp(smtpPort)
    for (const job of jobs) {
      const retried = await env.app.inject({
        method: 'POST',
        url: `/api/v1/admin/jobs/${encodeURIComponent(job.id)}/retry`,
        headers: admin.auth,
      })
      expect(retried.statusCode, retried.body).toBe(202)
      expect(retried.json()).toEqual({ id: job.id, status: 'queued' })
    }
    const mails = await smtp.waitFor(user.email, 1, 20_000)
    expect(mails[0]!.subject).toBe('Welcome to Travellr')
    await expect.poll(async () => (await failedJobs()).length, { timeout: 10_000 }).toBe(0)
    expect(smtp.to(user.email)).toHaveLength(1)
  })
})
