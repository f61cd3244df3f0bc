import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { isDatabaseUnavailable } from '../../platform/database/database.js'
import { AppError } from '../../shared/errors.js'
import { OctoError, type OctoErrorCode } from './octo-errors.js'

/**
 * The OCTO routes' one error handler: OCTO's shape and status (400 for every error the client can act
 * on; 503 with Retry-After while the database is down; 500 for the rest, logged). Our business errors
 * map by kind: a booking the reseller cannot see is INVALID_BOOKING_UUID, a refused sale (sold out,
 * hold limit, state) UNPROCESSABLE_ENTITY.
 */
export function sendOctoError(
  err: FastifyError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const send = (
    status: number,
    error: OctoErrorCode,
    errorMessage: string,
    fields: Record<string, string> = {},
  ) =>
    reply
      .status(status)
      .type('application/json; charset=utf-8')
      .send({ error, errorMessage, ...fields })
  if (err instanceof OctoError) return send(400, err.error, err.message, err.fields)
  if (err instanceof AppError) {
    const uuid = (request.params as { uuid?: string } | undefined)?.uuid
    if (err.code === 'reseller.key_missing') return send(400, 'UNAUTHORIZED', err.message)
    if (err.code === 'reseller.key_refused') return send(400, 'FORBIDDEN', err.message)
    if (err.kind === 'not_found' && uuid !== undefined)
      return send(400, 'INVALID_BOOKING_UUID', 'The uuid was missing or invalid', { uuid })
    if (err.kind === 'invalid') return send(400, 'BAD_REQUEST', err.message)
    if (err.kind === 'unavailable') {
      reply.header('retry-after', String(err.retryAfter ?? 5))
      return send(503, 'INTERNAL_SERVER_ERROR', err.message)
    }
    return send(400, 'UNPROCESSABLE_ENTITY', err.message)
  }
  const fe = err as FastifyError & { validation?: { instancePath: string; message?: string }[] }
  if (fe.validation) {
    const first = fe.validation[0]
    const where = first?.instancePath.replace(/^\//, '').replace(/\//g, '.') || 'body'
    return send(400, 'BAD_REQUEST', `${where} ${first?.message ?? 'is not valid'}`)
  }
  if (isDatabaseUnavailable(err)) {
    reply.header('retry-after', '5')
    return send(503, 'INTERNAL_SERVER_ERROR', 'The service is temporarily unavailable; try again shortly.')
  }
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500
  if (status >= 400 && status < 500) return send(status, 'BAD_REQUEST', 'The request could not be processed.')
  request.log.error({ err }, 'unhandled error')
  return send(
    500,
    'INTERNAL_SERVER_ERROR',
    `There was an un-recoverable error; quote request id ${request.id}.`,
  )
}
