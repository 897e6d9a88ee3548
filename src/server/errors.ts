/**
 * One error shape for every response: { error: { code: 'LB_ERR_…', message, subject? } }.
 * LookbookErrors keep their catalogue status; fastify's own client errors (validation, malformed JSON,
 * body limits, multipart limits) are mapped to catalogue codes, so bad input never yields a 5xx.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LookbookError, isLookbookError, type ErrorCode } from '../errors.ts';

/** Throws LB_ERR_INVALID_ARGUMENT (typed `never` so it can be used in expressions). */
export function badRequest(message: string, subject?: string): never {
  throw new LookbookError('LB_ERR_INVALID_ARGUMENT', message, { subject });
}

function fromFastify(e: FastifyError): LookbookError | undefined {
  const status = e.statusCode ?? 0;
  if (e.validation) {
    const where = e.validationContext ?? 'request';
    const msg = e.validation
      .map((v) => `${where}${v.instancePath || ''} ${v.message ?? 'is invalid'}`.trim())
      .join('; ');
    return new LookbookError('LB_ERR_INVALID_ARGUMENT', msg || e.message);
  }
  if (status < 400 || status >= 500) return undefined;
  let code: ErrorCode = 'LB_ERR_INVALID_ARGUMENT';
  let message = e.message;
  if (status === 413) {
    code = 'LB_ERR_PAYLOAD_TOO_LARGE';
    if (e.code === 'FST_REQ_FILE_TOO_LARGE') message = 'the uploaded file is larger than the upload limit';
  } else if (status === 404) code = 'LB_ERR_NOT_FOUND';
  else if (status === 401) code = 'LB_ERR_UNAUTHORIZED';
  else if (e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || e.name === 'SyntaxError') message = `malformed JSON in request body: ${e.message}`;
  return new LookbookError(code, message, { details: e.code ? { cause: e.code } : undefined });
}

export function sendError(reply: FastifyReply, err: LookbookError): FastifyReply {
  return reply.status(err.status).type('application/json; charset=utf-8').send({ error: err.toJSON() });
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | LookbookError | Error, request: FastifyRequest, reply: FastifyReply) => {
    let err: LookbookError;
    if (isLookbookError(error)) err = error;
    else err = fromFastify(error as FastifyError) ?? new LookbookError('LB_ERR_INTERNAL', undefined, { cause: error });
    if (err.status >= 500) request.log.error({ err: error, url: request.url }, 'request failed');
    return sendError(reply, err);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, new LookbookError('LB_ERR_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );
}
