import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { AppError, type ErrorKind, type FieldError } from '../../shared/errors.js'
import { isDatabaseUnavailable } from '../database/database.js'

const STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  unauthorized: 401,
  payment_required: 402,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  too_many_requests: 429,
  unavailable: 503,
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

export interface Problem {
  type: string
  title: string
  status: number
  detail: string
  code: string
  errors?: FieldError[]
  request_id: string
}

export function problem(
  status: number,
  code: string,
  detail: string,
  requestId: string,
  errors?: FieldError[],
) {
  const body: Problem = {
    type: `urn:travellr:problem:${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    request_id: requestId,
  }
  if (errors && errors.length > 0) body.errors = errors
  return body
}

interface AjvError {
  instancePath: string
  keyword: string
  message?: string
  params: Record<string, unknown>
}

/** Ajv errors → `[{field, message}]` with dotted field names a client can show next to its inputs. */
export function fieldErrors(validation: AjvError[], context: string | undefined): FieldError[] {
  const seen = new Set<string>()
  const out: FieldError[] = []
  for (const e of validation) {
    let field = e.instancePath.replace(/^\//, '').replace(/\//g, '.')
    let message = e.message ?? 'is invalid'
    if (e.keyword === 'required') {
      field = [field, String(e.params.missingProperty)].filter(Boolean).join('.')
      message = 'is required'
    } else if (e.keyword === 'additionalProperties') {
      field = [field, String(e.params.additionalProperty)].filter(Boolean).join('.')
      message = 'is not an accepted field'
    }
    if (!field) field = context ?? 'body'
    const k = `${field}:${message}`
    if (!seen.has(k)) {
      seen.add(k)
      out.push({ field, message })
    }
  }
  return out
}

interface Log {
  error(obj: object, msg: string): void
  warn(obj: object, msg: string): void
}

/** The one error handler: business errors by kind, framework errors by status, the rest a bare 500. */
export function sendProblem(
  err: FastifyError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
  log: Log,
) {
  const id = String(request.id)
  if (err instanceof AppError) {
    const status = STATUS[err.kind]
    if (err.retryAfter !== undefined) reply.header('retry-after', String(err.retryAfter))
    if (status === 401) reply.header('www-authenticate', 'Bearer')
    return reply
      .status(status)
      .type('application/problem+json')
      .send(problem(status, err.code, err.message, id, err.errors))
  }
  const fe = err as FastifyError & { validation?: AjvError[]; validationContext?: string }
  if (fe.validation) {
    const errors = fieldErrors(fe.validation, fe.validationContext)
    return reply
      .status(400)
      .type('application/problem+json')
      .send(
        problem(
          400,
          'request.invalid',
          `The request ${fe.validationContext ?? 'body'} is not valid.`,
          id,
          errors,
        ),
      )
  }
  if (isDatabaseUnavailable(err)) {
    log.warn({ err, reqId: id }, 'database unavailable')
    reply.header('retry-after', '5')
    return reply
      .status(503)
      .type('application/problem+json')
      .send(
        problem(503, 'service.unavailable', 'The service is temporarily unavailable; try again shortly.', id),
      )
  }
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500
  if (status >= 400 && status < 500) {
    const known: Record<string, [string, string]> = {
      FST_ERR_CTP_BODY_TOO_LARGE: ['request.too_large', 'The request body is larger than 1 MiB.'],
      FST_ERR_CTP_INVALID_MEDIA_TYPE: [
        'request.unsupported_media_type',
        'Send the body as application/json.',
      ],
      FST_ERR_CTP_EMPTY_JSON_BODY: ['request.invalid', 'The JSON body is empty.'],
      FST_ERR_CTP_INVALID_JSON_BODY: ['request.malformed_json', 'The body is not valid JSON.'],
    }
    const [code, detail] =
      known[fe.code] ??
      (fe instanceof SyntaxError || /JSON/i.test(fe.message)
        ? ['request.malformed_json', 'The body is not valid JSON.']
        : ['request.invalid', 'The request could not be processed.'])
    return reply
      .status(status)
      .type('application/problem+json')
      .send(problem(status, code, detail, id))
  }
  log.error({ err, reqId: id }, 'unhandled error')
  return reply
    .status(500)
    .type('application/problem+json')
    .send(
      problem(
        500,
        'internal',
        `Something went wrong on our side. Quote request id ${id} if you contact us.`,
        id,
      ),
    )
}
