/** @module The HTTP edge: Fastify with OpenAPI at /docs, API-key authentication, and routes that call the core. */

import type { IncomingMessage, ServerResponse } from 'node:http';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify';
import type { Services } from '../app.ts';
import { Ew4eError } from '../errors.ts';
import { apiKeyFromHeaders, type Caller, type Role, roleAtLeast } from '../registry/access.ts';
import { sendProblem } from './problem.ts';
import { areaRoutes } from './routes/area.routes.ts';
import { capRoutes } from './routes/cap.routes.ts';
import { eventRoutes } from './routes/event.routes.ts';
import { federationRoutes } from './routes/federation.routes.ts';
import { healthRoutes } from './routes/health.routes.ts';
import { observationRoutes } from './routes/observation.routes.ts';
import { organisationRoutes } from './routes/organisation.routes.ts';
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
    /** The least role a key needs for this route; routes without one are public. */
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
        securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An EW4E API key' } },
      },
      security: [{ apiKey: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.setErrorHandler((error, request, reply) => sendProblem(error, request, reply));
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      new Ew4eError('EW4E_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`),
      request,
      reply,
    ),
  );

  app.addHook('onRequest', async (request) => {
    const needed = request.routeOptions.config.role;
    if (needed === undefined) return;
    const key = apiKeyFromHeaders(request.headers);
    if (key === undefined)
      throw new Ew4eError('EW4E_UNAUTHENTICATED', 'send an API key as "Authorization: Bearer <key>"');
    const caller = await services.access.callerOfKey(key);
    if (caller === undefined)
      throw new Ew4eError('EW4E_UNAUTHENTICATED', 'the API key is unknown or revoked');
    if (!roleAtLeast(caller.role, needed)) {
      throw new Ew4eError(
        'EW4E_FORBIDDEN',
        `this action needs the role "${needed}"; the key has "${caller.role}"`,
      );
    }
    request.caller = caller;
  });

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
  return app;
}
