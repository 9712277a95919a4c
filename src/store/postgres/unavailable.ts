/**
 * @module Tells "the PostgreSQL server cannot be reached right now" (down, restarting, out of connections) from a
 * statement that failed, and turns the first into EW4E_UNAVAILABLE, so that callers answer "retry later"
 * (HTTP 503 with Retry-After; MQTT: no PUBACK, the broker redelivers) instead of failing for good.
 */
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import { Ew4eError } from '../../errors.ts';

/**
 * SQLSTATEs of an unavailable server (PostgreSQL 15 docs, Appendix A): class 08 connection exception, 57P01
 * admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up or shutting down), 53300
 * too_many_connections.
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** Socket errors of Node's net module on the way to the server. */
const UNAVAILABLE_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** node-postgres (pg 8, pg-pool 3) reports a lost or refused connection with these messages and no code. */
const UNAVAILABLE_PG_MESSAGES = [
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'timeout exceeded when trying to connect',
  'Query read timeout',
];

export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (Ew4eError.is(error)) return error.code === 'EW4E_UNAVAILABLE';
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (code.length === 5 && code.startsWith('08')) return true;
    if (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_SOCKET_CODES.has(code)) return true;
    // Any other SQLSTATE is the statement's own failure (a unique violation, a syntax error…).
    if (code.length === 5) return false;
  }
  // Node's AggregateError (a host with IPv4 and IPv6 addresses, both refused) carries the socket errors inside.
  if (error instanceof AggregateError && error.errors.some(isDatabaseUnavailable)) return true;
  return UNAVAILABLE_PG_MESSAGES.some((m) => error.message.startsWith(m));
}

/** The error to throw: EW4E_UNAVAILABLE with the driver's error as its cause, or the error itself. */
export function asUnavailable(error: unknown): unknown {
  if (Ew4eError.is(error) || !isDatabaseUnavailable(error)) return error;
  return new Ew4eError('EW4E_UNAVAILABLE', undefined, [], { cause: error });
}

/**
 * The pool as Kysely sees it, with connection failures thrown as EW4E_UNAVAILABLE. Kysely keeps one
 * connection object per client (a WeakMap), so each client keeps one wrapper.
 */
export function guardedPool(pool: PostgresPool): PostgresPool {
  const wrappers = new WeakMap<PostgresPoolClient, PostgresPoolClient>();
  const wrap = (client: PostgresPoolClient): PostgresPoolClient => {
    let wrapper = wrappers.get(client);
    if (wrapper === undefined) {
      wrapper = {
        // biome-ignore lint/suspicious/noExplicitAny: forwards both of the driver's query overloads unchanged.
        query: ((...args: [any, any]) => {
          const result = client.query(...args);
          // A cursor (streaming) is returned as it is; a promise has its connection failures translated.
          return result instanceof Promise
            ? result.catch((error: unknown) => {
                throw asUnavailable(error);
              })
            : result;
        }) as PostgresPoolClient['query'],
        release: () => client.release(),
      };
      wrappers.set(client, wrapper);
    }
    return wrapper;
  };
  return {
    connect: async () => {
      try {
        return wrap(await pool.connect());
      } catch (error) {
        throw asUnavailable(error);
      }
    },
    end: () => pool.end(),
  };
}
