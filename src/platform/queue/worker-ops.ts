import { createServer, type Server } from 'node:http'
import { collectDefaultMetrics, Registry } from 'prom-client'
import { jobRegistry } from './job-metrics.js'
import type { JobQueue } from './queue.js'

/**
 * A worker's own /health (the queue answers) and /metrics (its jobs' durations and failures, process
 * figures), on WORKER_PORT at `host`. Plain node:http: a worker serves no API.
 */
export async function serveWorkerOps(queue: JobQueue, host: string, port: number): Promise<Server> {
  const defaults = new Registry()
  collectDefaultMetrics({ register: defaults })
  const registry = Registry.merge([defaults, jobRegistry])
  const server = createServer((req, res) => {
    const answer = async () => {
      if (req.url === '/health') {
        const up = await queue.ping()
        res.writeHead(up ? 200 : 503, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ status: up ? 'ok' : 'queue unavailable' }))
      } else if (req.url === '/metrics') {
        res.writeHead(200, { 'content-type': registry.contentType })
        res.end(await registry.metrics())
      } else {
        res.writeHead(404).end()
      }
    }
    answer().catch(() => res.writeHead(500).end())
  })
  await new Promise<void>((resolve) => server.listen(port, host, resolve))
  return server
}
