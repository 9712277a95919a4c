/**
 * @module Request budgets with @fastify/rate-limit: per API key or signed-in user on authenticated routes, per
 * client IP on public ones, and strict budgets where secrets are guessed (sign-in) or messages are sent to
 * whoever asks (self-service subscriptions). 429 is an RFC 9457 problem with Retry-After and RateLimit-* headers.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_RATE_LIMITS, type RateLimits } from '../config.ts';
import { Ew4eError } from '../errors.ts';
import { normaliseEmail } from '../store/organisation.repository.ts';
import type { HttpServer } from './http-server.ts';

/** A route's budget beyond the default: declared in its config as `throttle`. */
export type Throttle =
  /** POST /auth/login: per client IP before the body is read, and per e-mail address after */
  | 'sign-in'
  /** public routes that send a message or check a short code: per client IP */
  | 'self-service'
  /** liveness probes */
  | 'none';

declare module 'fastify' {
  interface FastifyContextConfig {
    throttle?: Throttle;
  }
}

const FIFTEEN_MINUTES_MS = 15 * 60_000;

/** Whose budget a request spends: the caller's (set by the authentication hook), else the client's address. */
function budgetKey(request: FastifyRequest): string {
  const caller = request.caller;
  if (caller === undefined) return `ip:${request.ip}`;
  return caller.userId === undefined ? `key:${caller.keyId}` : `user:${caller.userId}`;
}

function rateLimited(after: string): Ew4eError {
  return new Ew4eError('EW4E_RATE_LIMITED', `too many requests; retry in ${after}`);
}

/** Registers the budgets; call before any route is added, after the authentication hook. */
export async function registerRateLimits(
  app: HttpServer,
  limits: RateLimits = DEFAULT_RATE_LIMITS,
): Promise<void> {
  // Runs before the plugin's own onRoute hook (added below), which reads config.rateLimit.
  app.addHook('onRoute', (route) => {
    const throttle = route.config?.throttle;
    if (throttle === undefined) return;
    const config = route.config as NonNullable<typeof route.config> & { rateLimit?: unknown };
    if (throttle === 'none') {
      config.rateLimit = false;
      return;
    }
    const max = throttle === 'sign-in' ? limits.signInPerIp : limits.selfServicePerIp;
    config.rateLimit = {
      max,
      timeWindow: FIFTEEN_MINUTES_MS,
      keyGenerator: (request: FastifyRequest) => `ip:${request.ip}`,
    };
    if (throttle === 'sign-in') {
      // Per address too, so that one account is not tried from many IPs; counted once the body is parsed.
      const perEmail = app.createRateLimit({
        max: limits.signInPerEmail,
        timeWindow: FIFTEEN_MINUTES_MS,
        keyGenerator: (request) => {
          const email = (request.body as { email?: unknown } | undefined)?.email;
          return `email:${typeof email === 'string' ? normaliseEmail(email) : ''}`;
        },
      });
      const existing = route.preHandler;
      const check = async (request: FastifyRequest, reply: FastifyReply) => {
        const verdict = await perEmail(request);
        if (verdict.isAllowed || !verdict.isExceeded) return;
        request.log.warn({ throttle }, 'sign-in attempts for one address exceed the limit');
        reply.header('ratelimit-limit', verdict.max);
        reply.header('ratelimit-remaining', 0);
        reply.header('ratelimit-reset', verdict.ttlInSeconds);
        reply.header('retry-after', verdict.ttlInSeconds);
        throw rateLimited(`${verdict.ttlInSeconds} seconds`);
      };
      route.preHandler = [...(existing === undefined ? [] : [existing].flat()), check];
    }
  });

  await app.register(rateLimit, {
    global: true,
    max: limits.perMinute,
    timeWindow: 60_000,
    // After authentication (onRequest), before the body is read: a throttled upload costs nothing.
    hook: 'preParsing',
    keyGenerator: budgetKey,
    enableDraftSpec: true,
    errorResponseBuilder: (_request, context) => rateLimited(context.after),
    onExceeded: (request) => request.log.warn({ route: request.routeOptions.url }, 'rate limit exceeded'),
  });
}
