/** @module The HTTP edge: Fastify with OpenAPI at /docs, authentication by API key or dashboard session, and routes that call the core. */

import type { IncomingMessage, ServerResponse } from 'node:http';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
  type RawServerDefault,
} from 'fastify';
import type { Services } from '../app.ts';
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
import { callerOfSession, type LiveSession, sessionOf, touchSession } from '../store/session.repository.ts';
import { sendProblem } from './problem.ts';
import { areaRoutes } from './routes/area.routes.ts';
import { authRoutes } from './routes/auth.routes.ts';
import { biodiversityRoutes } from './routes/biodiversity.routes.ts';
import { capRoutes } from './routes/cap.routes.ts';
import { eventRoutes } from './routes/event.routes.ts';
import { explorerRoutes } from './routes/explorer.routes.ts';
import { federationRoutes } from './routes/federation.routes.ts';
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

export type HttpServer = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The least role a key or signed-in user needs for this route; routes without one are public. */
    role?: Role;
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
}

export async function buildHttpServer(services: Services, options: HttpServerOptions): Promise<HttpServer> {
  const app = Fastify({
    ...(typeof options.logger === 'boolean'
      ? { logger: options.logger }
      : { loggerInstance: options.logger }),
    bodyLimit: options.maxBodyBytes,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();

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
  await app.register(swaggerUi, { routePrefix: '/docs' });
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
    const needed = request.routeOptions.config.role;
    if (needed === undefined) return;
    const caller = await authenticate(request);
    if (!roleAtLeast(caller.role, needed)) {
      const who = caller.userId === undefined ? 'the key has' : 'your role is';
      throw new Ew4eError(
        'EW4E_FORBIDDEN',
        `this action needs the role "${needed}"; ${who} "${caller.role}"`,
      );
    }
    request.caller = caller;
  });

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
