// Maps every error to RFC 9457 problem+json with a stable code. 5xx bodies never leak internals.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, kernelErrors } from '../errors.ts';

export type Problem = {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  requestId: string;
  errors?: Array<{ path: string; message: string }>;
  [key: string]: unknown;
};

function toProblem(err: AppError, request: FastifyRequest): Problem {
  return {
    type: `https://atrium.dev/problems/${err.code.toLowerCase().replace(/_/g, '-')}`,
    title: err.title,
    status: err.status,
    code: err.code,
    ...(err.detail !== undefined ? { detail: err.detail } : {}),
    instance: request.url.split('?')[0],
    requestId: request.id,
    ...(err.extra ?? {}),
  };
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, err: AppError): FastifyReply {
  if (err.headers) reply.headers(err.headers);
  return reply.code(err.status).type('application/problem+json').send(toProblem(err, request));
}

function fromFastifyError(err: FastifyError): AppError | null {
  if (err.validation) {
    const errors = err.validation.map((v) => ({
      path: `${err.validationContext ?? 'body'}${v.instancePath || ''}`.replace(/\//g, '.'),
      message: v.message ?? 'is invalid',
    }));
    const detail = errors.map((e) => `${e.path} ${e.message}`).join('; ');
    return kernelErrors.create('VALIDATION_FAILED', detail, { extra: { errors } });
  }
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return kernelErrors.create('MALFORMED_JSON', err.message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return kernelErrors.create('UNSUPPORTED_MEDIA_TYPE', err.message);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return kernelErrors.create('PAYLOAD_TOO_LARGE');
  }
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    return new AppError('BAD_REQUEST', { status: err.statusCode, title: 'Bad request' }, err.message);
  }
  return null;
}

/** `notFound: false` when the caller installs its own not-found handler (the console's SPA fallback). */
export function registerErrorHandling(app: FastifyInstance, options: { notFound?: boolean } = {}): void {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    let appError: AppError | null = error instanceof AppError ? error : fromFastifyError(error as FastifyError);
    if (!appError) {
      request.log.error({ err: error }, 'unhandled error');
      appError = kernelErrors.create('INTERNAL');
    } else if (appError.status >= 500) {
      request.log.error({ err: error }, appError.code);
    }
    return sendProblem(reply, request, appError);
  });
  if (options.notFound === false) return;
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, request, kernelErrors.create('ROUTE_NOT_FOUND', `${request.method} ${request.url.split('?')[0]} does not exist`)),
  );
}
