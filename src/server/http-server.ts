/** @module The HTTP edge: Fastify with OpenAPI at /docs, authentication by API key or dashboard session, and routes that call the core. */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { constants as zlibConstants } from 'node:zlib';
import compress from '@fastify/compress';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
  type RawServerDefault,
} from 'fastify';
import type { Services } from '../app.ts';
import type { RateLimits } from '../config.ts';
import { Ew4eError } from '../errors.ts';
import {
  apiKeyFromHeaders,
  type Caller,
  isSafeMethod,
  type Role,
  roleAtLeast,
  SESSION_COOKIE,
  sameSecret,
} from '../registry/access.ts';
import { type Scope, scopeAllows } from '../registry/scopes.ts';
import { callerOfSession, type LiveSession, sessionOf, touchSession } from '../store/session.repository.ts';
import { sendProblem } from './problem.ts';
import { registerRateLimits } from './rate-limits.ts';
import { areaRoutes } from './routes/area.routes.ts';
import { authRoutes } from './routes/auth.routes.ts';
import { biodiversityRoutes } from './routes/biodiversity.routes.ts';
import { capRoutes } from './routes/cap.routes.ts';
import { eventRoutes } from './routes/event.routes.ts';
import { explorerRoutes } from './routes/explorer.routes.ts';
import { federationRoutes } from './routes/federation.routes.ts';
import { hazardRoutes } from './routes/hazard.routes.ts';
import { healthRoutes } from './routes/health.routes.ts';
import { incidentRoutes } from './routes/incident.routes.ts';
import { natureRoutes } from './routes/nature.routes.ts';
import { observationRoutes } from './routes/observation.routes.ts';
import { organisationRoutes } from './routes/organisation.routes.ts';
import { overviewRoutes } from './routes/overview.routes.ts';
import { reportRoutes } from './routes/report.routes.ts';
import { ruleRoutes } from './routes/rule.routes.ts';
import { signalRoutes } from './routes/signal.routes.ts';
import { stationRoutes } from './routes/station.routes.ts';
import { subscriptionRoutes } from './routes/subscription.routes.ts';
import { warningRoutes } from './routes/warning.routes.ts';
import { docsPolicy, registerSecurityHeaders } from './security-headers.ts';

export type HttpServer = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

// ajv-formats' own 'date-time' (RFC 3339), a validate/compare pair in the full set.
const RFC3339_DATE_TIME = fullFormats['date-time'] as {
  validate: (text: string) => boolean;
  compare: (a: string, b: string) => number | undefined;
};

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The least role a key or signed-in user needs for this route; routes without one are public. */
    role?: Role;
    /** What a key must be allowed to do for this route (registry/scopes.ts); required wherever role is. */
    scope?: Scope;
  }
  interface FastifyRequest {
    caller?: Caller;
  }
}

/** The authenticated caller of a route that declared a role (the hook guarantees one). */
export function callerOf(request: { caller?: Caller }): Caller {
  if (!request.caller) throw new Ew4eError('EW4E_UNAUTHENTICATED');
  return request.caller;
}

/** The session token of the request's cookie, if it carries one. */
export function sessionTokenOf(request: FastifyRequest): string | undefined {
  const token = request.cookies[SESSION_COOKIE];
  return token === undefined || token === '' ? undefined : token;
}

/**
 * A cookie is sent by the browser on its own, so a change made with one must also prove it comes from our
 * page: the `X-CSRF-Token` header, which only a page that read it from /auth/login or /auth/me can know.
 */
export function requireCsrfToken(request: FastifyRequest, session: LiveSession): void {
  if (isSafeMethod(request.method)) return;
  const sent = request.headers['x-csrf-token'];
  if (typeof sent !== 'string' || !sameSecret(sent, session.csrfToken))
    throw new Ew4eError('EW4E_FORBIDDEN', 'the CSRF token is missing or wrong');
}

export interface HttpServerOptions {
  readonly logger: FastifyBaseLogger | boolean;
  readonly maxBodyBytes: number;
  readonly maxBatchRows: number;
  /** Believe X-Forwarded-For/-Proto from these proxies (Fastify's trustProxy); default: none. */
  readonly trustProxy?: boolean | readonly string[];
  readonly rateLimits?: RateLimits;
}

export async function buildHttpServer(services: Services, options: HttpServerOptions): Promise<HttpServer> {
  const app = Fastify({
    ...(typeof options.logger === 'boolean'
      ? { logger: options.logger }
      : { loggerInstance: options.logger }),
    bodyLimit: options.maxBodyBytes,
    trustProxy:
      typeof options.trustProxy === 'object' ? [...options.trustProxy] : (options.trustProxy ?? false),
    ajv: {
      customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: true },
      // RFC 3339 allows second 60, which Date.parse (what the routes read times with) cannot: a 400 here, not
      // a NaN in SQL later (found by test/route-fuzz.test.ts).
      onCreate: (ajv) => {
        ajv.addFormat('date-time', {
          type: 'string',
          validate: (text: string) => RFC3339_DATE_TIME.validate(text) && !Number.isNaN(Date.parse(text)),
          compare: RFC3339_DATE_TIME.compare,
        });
      },
    },
    // Errors raised before routing (a malformed percent-escape in the path: FST_ERR_BAD_URL) are problems too.
    frameworkErrors: (error, request, reply) => {
      sendProblem(error, request, reply);
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  await registerSecurityHeaders(app, services.publicUrl);
  // Every route that needs a role names the scope a key needs for it too, so that no route is left open to all keys.
  app.addHook('onRoute', (route) => {
    if (route.config?.role !== undefined && route.config.scope === undefined)
      throw new Error(`${route.method} ${route.url} declares a role but no scope`);
  });

  // Before every route: users behind slow links get the map's layers, feeds and the dashboard compressed (the
  // map bench's 2.1 MB layer of 10 000 warnings travels as 75 KB, the dashboard's 1.2 MB of JavaScript as
  // 330 KB). Brotli at quality 4 costs about what gzip does; its default (11) takes seconds on such a layer.
  // Live streams (text/event-stream) are never compressed.
  await app.register(compress, {
    encodings: ['br', 'gzip', 'deflate'],
    brotliOptions: { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 4 } },
    threshold: 1024,
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'EW4E — Early Warning for Environment',
        version: '0.1.0',
        description:
          'Observations and events in, quality-checked and stored; queries with server-side downsampling. ' +
          'Errors are RFC 9457 problem details with an EW4E error code (see docs/errors.md). Times are ISO 8601 UTC.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'An EW4E API key' },
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: SESSION_COOKIE,
            description:
              'A dashboard session from POST /auth/login; changes (not GET, HEAD, OPTIONS) also need the header X-CSRF-Token',
          },
        },
      },
      security: [{ apiKey: [] }, { session: [] }],
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: docsPolicy(services.publicUrl.startsWith('https:')),
  });
  // Parses cookies in its own onRequest hook, registered here before ours so that ours can read them.
  await app.register(cookie);

  app.setErrorHandler((error, request, reply) => sendProblem(error, request, reply));
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      new Ew4eError('EW4E_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`),
      request,
      reply,
    ),
  );

  /** The caller of a request: its API key if it sends one, else its session cookie. */
  const authenticate = async (request: FastifyRequest): Promise<Caller> => {
    const key = apiKeyFromHeaders(request.headers);
    if (key !== undefined) {
      const caller = await services.access.callerOfKey(key);
      if (caller === undefined)
        throw new Ew4eError('EW4E_UNAUTHENTICATED', 'the API key is unknown or revoked');
      return caller;
    }
    const token = sessionTokenOf(request);
    if (token === undefined) {
      throw new Ew4eError(
        'EW4E_UNAUTHENTICATED',
        'send an API key as "Authorization: Bearer <key>", or sign in at POST /auth/login',
      );
    }
    const nowMs = Date.now();
    const session = await sessionOf(services.database.db, token, nowMs);
    if (session === undefined)
      throw new Ew4eError('EW4E_UNAUTHENTICATED', 'the session has ended; sign in again');
    requireCsrfToken(request, session);
    await touchSession(services.database.db, token, session, nowMs);
    return callerOfSession(session);
  };

  app.addHook('onRequest', async (request) => {
    const { role: needed, scope } = request.routeOptions.config;
    if (needed === undefined) return;
    const caller = await authenticate(request);
    if (!roleAtLeast(caller.role, needed)) {
      const who = caller.userId === undefined ? 'the key has' : 'your role is';
      throw new Ew4eError(
        'EW4E_FORBIDDEN',
        `this action needs the role "${needed}"; ${who} "${caller.role}"`,
      );
    }
    if (scope !== undefined && !scopeAllows(caller.scopes, scope)) {
      throw new Ew4eError(
        'EW4E_FORBIDDEN',
        `this action needs the scope "${scope}"; the key has ${caller.scopes?.map((s) => `"${s}"`).join(', ')}`,
      );
    }
    request.caller = caller;
  });
  // After the hook above (budgets are per caller), before the routes (each gets the budget's hook).
  await registerRateLimits(app, options.rateLimits);

  await app.register(authRoutes, { services });
  await app.register(healthRoutes, { services });
  await app.register(observationRoutes, { services, maxBatchRows: options.maxBatchRows });
  await app.register(eventRoutes, { services, maxBatchRows: options.maxBatchRows });
  await app.register(stationRoutes, { services });
  await app.register(areaRoutes, { services });
  await app.register(organisationRoutes, { services });
  await app.register(signalRoutes, { services });
  await app.register(ruleRoutes, { services });
  await app.register(warningRoutes, { services });
  await app.register(capRoutes, { services });
  await app.register(hazardRoutes);
  await app.register(federationRoutes, { services });
  await app.register(subscriptionRoutes, { services });
  await app.register(incidentRoutes, { services });
  await app.register(overviewRoutes, { services });
  await app.register(explorerRoutes, { services });
  await app.register(reportRoutes, { services });
  await app.register(natureRoutes, { services });
  await app.register(biodiversityRoutes, { services, maxBatchRows: options.maxBatchRows });
  return app;
}
