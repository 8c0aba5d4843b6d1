import createError from '@fastify/error'
import { Type } from '@sinclair/typebox'
import { ErrorCode, RpcError } from '../../src/rpc/errors.ts'

// Domain errors are RpcErrors thrown by the services; the admin API answers them with these HTTP errors.
export const NotFoundError = createError('NOT_FOUND', '%s', 404)
export const ConflictError = createError('CONFLICT', '%s', 409)
export const ForbiddenError = createError('FORBIDDEN', '%s', 403)
export const BadRequestError = createError('BAD_REQUEST', '%s', 400)
export const UnavailableError = createError('UNAVAILABLE', '%s', 503)
export const TooManyRequestsError = createError('TOO_MANY_REQUESTS', '%s', 429)

const HTTP_ERRORS = new Map<number, new (message: string) => Error>([
  [ErrorCode.PersonaNotFound, NotFoundError],
  [ErrorCode.SessionNotFound, NotFoundError],
  [ErrorCode.ConversationNotFound, NotFoundError],
  [ErrorCode.NotFound, NotFoundError],
  [ErrorCode.Conflict, ConflictError],
  [ErrorCode.PersonaUnavailable, ConflictError],
  [ErrorCode.SessionInUse, ConflictError],
  [ErrorCode.Forbidden, ForbiddenError],
  [ErrorCode.InvalidParams, BadRequestError],
  [ErrorCode.NoActivePersona, BadRequestError],
  [ErrorCode.LlmUnavailable, UnavailableError],
  [ErrorCode.Busy, UnavailableError],
  [ErrorCode.RateLimited, TooManyRequestsError],
])

/** The HTTP error for a domain error, or undefined when it is not one the API should show. */
export function httpErrorFor (err: unknown): Error | undefined {
  if (!(err instanceof RpcError)) return undefined
  const HttpError = HTTP_ERRORS.get(err.code)
  return HttpError ? new HttpError(err.message) : undefined
}

/** The body of every error response: Fastify's own shape. */
export const ErrorBody = Type.Object({
  statusCode: Type.Integer(),
  code: Type.Optional(Type.String()),
  error: Type.String(),
  message: Type.String(),
}, { $id: 'ErrorBody' })
