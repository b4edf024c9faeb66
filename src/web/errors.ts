/** ScgwError and validation failures → HTTP status + `{ code, message }`. The only place that translates. */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { ScgwError, type ErrorCode } from '../errors.js';

const STATUS: Partial<Record<ErrorCode, number>> = {
  SCGW_BAD_REQUEST: 400,
  SCGW_UNAUTHORIZED: 401,
  SCGW_FORBIDDEN: 403,
  SCGW_NOT_FOUND: 404,
  SCGW_CONFLICT: 409,
  SCGW_ROUTE_BAD_REGEX: 422,
  SCGW_ROUTE_INVALID: 422,
  SCGW_ACTION_UNKNOWN: 422,
  SCGW_REDIS_UNAVAILABLE: 503,
};

export function errorHandler(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply) {
  if (err instanceof ZodError) {
    const message = err.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    return reply.status(400).send({ code: 'SCGW_BAD_REQUEST', message });
  }
  if (err instanceof ScgwError) {
    return reply.status(STATUS[err.code] ?? 500).send({ code: err.code, message: err.message });
  }
  const fe = err as FastifyError;
  if (fe.statusCode && fe.statusCode < 500) {
    return reply.status(fe.statusCode).send({ code: 'SCGW_BAD_REQUEST', message: fe.message });
  }
  req.log.error({ err }, 'request failed');
  return reply.status(500).send({ code: 'SCGW_INTERNAL', message: 'internal error' });
}
