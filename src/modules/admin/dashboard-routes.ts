import { createReadStream, existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { FastifyPluginAsync } from 'fastify'

/** The folder of the dashboard's files: `public/admin` at the package root, from src/ or dist/src/. */
function dashboardRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'public', 'admin')
    if (existsSync(join(candidate, 'index.html'))) return candidate
  }
  throw new Error('public/admin/index.html not found beside the package')
}

/**
 * The admin dashboard at /admin: static HTML, CSS and plain JavaScript served by the API itself, over
 * the same JSON API (the page signs in and keeps its token for the tab). The chart library is served
 * from the installed chart.js package, never from a CDN. Not in the OpenAPI document: it is a page.
 */
export function dashboardRoutes(): FastifyPluginAsync {
  // The package exports no subpath for its browser build: it sits beside its main file.
  const chartJs = join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js')
  return async (app) => {
    app.get('/admin/vendor/chart.umd.js', { schema: { hide: true } }, (_request, reply) =>
      reply
        .type('text/javascript; charset=utf-8')
        .header('cache-control', 'public, max-age=86400')
        .send(createReadStream(chartJs)),
    )
    await app.register(fastifyStatic, {
      root: dashboardRoot(),
      prefix: '/admin/',
      index: 'index.html',
      schemaHide: true,
      wildcard: false,
    })
  }
}
