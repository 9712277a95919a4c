/** @module The one place errors become HTTP replies: RFC 9457 problem details carrying an EW4E error code. */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES, type ErrorCode, Ew4eError, type ProblemDetail } from '../errors.ts';

export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: ErrorCode;
  readonly detail: string;
  readonly errors?: readonly ProblemDetail[];
}

/** Fastify's own error codes, mapped onto ours. */
const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'EW4E_BATCH_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'EW4E_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'EW4E_BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'EW4E_BAD_REQUEST',
  FST_ERR_CTP_INVALID_JSON_BODY: 'EW4E_BAD_REQUEST',
};

/** Seconds a client should wait before retrying while the database is unavailable (a restart takes a few). */
const RETRY_AFTER_S = 5;

/**
 * PostgreSQL's refusal of text a client sent: 22021 (U+0000 in text or jsonb, which UTF-8 columns cannot
 * hold) and 22P05 (untranslatable character). The request was wrong, not the server.
 */
const UNSTORABLE_TEXT = new Set(['22021', '22P05']);

/**
 * PostgreSQL's refusal of a number or time out of its column's range (22003, 22008) or not of its type (22P02):
 * so far always a client's value that a route schema let through (an id past 2³¹ − 1, `Infinity`). A 400, but
 * logged like an internal error, because a value the server computed could fail the same way.
 */
const OUT_OF_RANGE = new Set(['22003', '22008', '22P02']);

export function toProblem(error: unknown): { problem: ProblemBody; unexpected: boolean } {
  if (Ew4eError.is(error))
    return { problem: body(error.code, error.message, error.details), unexpected: false };
  const e = error as Partial<FastifyError> & {
    validation?: { instancePath: string; message?: string; params?: Record<string, unknown> }[];
    validationContext?: string;
  };
  if (e.validation) {
    const where = e.validationContext ?? 'body';
    const errors = e.validation.map((v) => {
      const missing = typeof v.params?.missingProperty === 'string' ? `/${v.params.missingProperty}` : '';
      const pointer = `${v.instancePath}${missing}`;
      return {
        pointer: where === 'body' ? pointer || '/' : pointer,
        field:
          where === 'body' ? pointer.split('/').pop() || '(body)' : `${where}${pointer.replaceAll('/', '.')}`,
        reason: v.message ?? 'invalid',
      };
    });
    const code: ErrorCode = where === 'body' ? 'EW4E_BAD_REQUEST' : 'EW4E_INVALID_QUERY';
    return {
      problem: body(
        code,
        `invalid ${where}: ${errors.map((x) => `${x.field} ${x.reason}`).join('; ')}`,
        errors,
      ),
      unexpected: false,
    };
  }
  if (typeof e.code === 'string' && e.code in FASTIFY_CODES) {
    return {
      problem: body(FASTIFY_CODES[e.code]!, e.message ?? ERROR_CODES[FASTIFY_CODES[e.code]!].title),
      unexpected: false,
    };
  }
  if (typeof e.code === 'string' && UNSTORABLE_TEXT.has(e.code)) {
    return {
      problem: body(
        'EW4E_BAD_REQUEST',
        'text must not contain the NUL character (U+0000): it cannot be stored',
      ),
      unexpected: false,
    };
  }
  if (typeof e.code === 'string' && OUT_OF_RANGE.has(e.code)) {
    return {
      problem: body('EW4E_BAD_REQUEST', 'a value is out of range or of the wrong type for storage'),
      unexpected: true,
    };
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { problem: body('EW4E_BAD_REQUEST', e.message ?? 'bad request'), unexpected: false };
  }
  return {
    problem: body('EW4E_INTERNAL', 'an internal error occurred; it has been logged'),
    unexpected: true,
  };
}

function body(code: ErrorCode, detail: string, errors?: readonly ProblemDetail[]): ProblemBody {
  const { status, title } = ERROR_CODES[code];
  return {
    type: `/docs/errors#${code.toLowerCase()}`,
    title,
    status,
    code,
    detail,
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}

export function sendProblem(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { problem, unexpected } = toProblem(error);
  if (unexpected) request.log.error({ err: error }, 'request failed');
  if (problem.code === 'EW4E_UNAVAILABLE') {
    // The store turned the driver's connection failure into EW4E_UNAVAILABLE (store/postgres/unavailable.ts).
    request.log.warn({ err: (error as Error).cause ?? error }, 'database unavailable');
    reply.header('retry-after', String(RETRY_AFTER_S));
  }
  return reply.status(problem.status).type('application/problem+json').send(problem);
}
