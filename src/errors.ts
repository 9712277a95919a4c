/** @module The one registry of EW4E error codes: each code has its HTTP status and its meaning. Documented in docs/errors.md (a test keeps the two in step); codes are never reused. */

export const ERROR_CODES = {
  EW4E_BAD_REQUEST: { status: 400, title: 'The request is malformed' },
  EW4E_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The content type is not accepted here' },
  EW4E_INVALID_ROWS: { status: 422, title: 'Some rows of the batch are invalid; nothing was written' },
  EW4E_BATCH_TOO_LARGE: { status: 413, title: 'The batch exceeds the size limit' },
  EW4E_UNAUTHENTICATED: { status: 401, title: 'A valid API key or sign-in is required' },
  EW4E_FORBIDDEN: { status: 403, title: 'Your role does not allow this action' },
  EW4E_NOT_FOUND: { status: 404, title: 'No such resource in your organisation' },
  EW4E_CONFLICT: { status: 409, title: 'The resource already exists or conflicts with another' },
  EW4E_INVALID_QUERY: { status: 400, title: 'A query parameter is invalid' },
  EW4E_INVALID_CAP: { status: 422, title: 'The document is not a valid CAP 1.2 alert; nothing was stored' },
  EW4E_UNAVAILABLE: { status: 503, title: 'The database is unavailable; retry later' },
  EW4E_INVALID_BACKUP: {
    status: 422,
    title: 'The backup file is corrupt, truncated or from a newer EW4E; nothing was restored',
  },
  EW4E_DATABASE_NOT_EMPTY: { status: 409, title: 'The database is not empty; nothing was restored' },
  EW4E_RATE_LIMITED: { status: 429, title: 'Too many requests; retry later' },
  EW4E_INTERNAL: { status: 500, title: 'Internal error' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Where in the input a problem lies: row index in the batch, CSV/NDJSON line, or RFC 6901 JSON pointer. */
export interface ProblemDetail {
  readonly row?: number;
  readonly line?: number;
  readonly pointer?: string;
  readonly field?: string;
  readonly reason: string;
}

/** The core throws these; the HTTP edge maps them to RFC 9457 problem replies in one place. */
export class Ew4eError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: readonly ProblemDetail[];

  constructor(
    code: ErrorCode,
    message?: string,
    details: readonly ProblemDetail[] = [],
    options?: ErrorOptions,
  ) {
    super(message ?? ERROR_CODES[code].title, options);
    this.name = 'Ew4eError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.details = details;
  }

  static is(value: unknown): value is Ew4eError {
    return value instanceof Ew4eError;
  }
}

export function notFound(what: string): Ew4eError {
  return new Ew4eError('EW4E_NOT_FOUND', `${what} not found`);
}
