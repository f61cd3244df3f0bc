import Fastify from 'fastify'

/** Floor: the least Fastify can do, one route answering a constant. */
const app = Fastify({ logger: false })
const body = { status: 'ok' }
app.get('/', async () => body)
await app.listen({ host: '127.0.0.1', port: Number(process.argv[2] ?? 0) })
process.stdout.write('floor listening\n')
