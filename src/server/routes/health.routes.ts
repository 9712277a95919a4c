/** @module GET /health: liveness and the database's reachability, for load balancers and the README's first check. */
import { sql } from 'kysely';
import type { Services } from '../../app.ts';
import type { HttpServer } from '../http-server.ts';

export async function healthRoutes(app: HttpServer, { services }: { services: Services }): Promise<void> {
  app.get(
    '/health',
    {
      // load balancers probe often, from one address
      config: { throttle: 'none' },
      schema: { tags: ['platform'], summary: 'Liveness and database status', security: [] },
    },
    async (_request, reply) => {
      const started = performance.now();
      try {
        await sql`select 1`.execute(services.database.db);
        return {
          status: 'ok',
          database: services.database.backend,
          databaseLatencyMs: Math.round(performance.now() - started),
        };
      } catch {
        reply.header('retry-after', '5');
        return reply.status(503).send({ status: 'unavailable', database: services.database.backend });
      }
    },
  );
}
