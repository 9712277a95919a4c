/**
 * @module What `ew4e serve --role …` runs in this process once the platform is built: the HTTP API or a
 * bare /health, detection behind the observation stream, the warning stage behind signals.raised, the
 * dispatcher, and the clock that ticks rules, warnings and feeds.
 */
import os from 'node:os';
import Fastify from 'fastify';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Platform } from '../app.ts';
import { carriedBySeries } from '../detect/carried-rows.ts';
import { dutiesOf, type ProcessRole } from '../process-role.ts';
import { takeTurn } from '../store/duty-turn.repository.ts';

/** The clock's interval: rules on silence, warnings' cancels and expiries, feeds due, the sweep for lost hints. */
const TICK_MS = 60_000;
/**
 * How long a duty's turn lasts: a little under the interval, so that the process that took it takes it again
 * at its next tick, and another process takes over within a minute of it stopping.
 */
const TURN_MS = TICK_MS - 5_000;
/** PGlite's statistics are refreshed this often (below). */
const ANALYZE_TURN_MS = 60 * 60_000 - 5_000;

export interface RunningDuties {
  /** Where HTTP listens: the API for api, ingest and all; only /health for detect and notify. */
  readonly address: string;
  stop(): Promise<void>;
}

export async function startDuties(
  platform: Platform,
  role: ProcessRole,
  listen: { readonly port: number; readonly host: string },
  logger: Logger,
): Promise<RunningDuties> {
  const { services } = platform;
  const duties = dutiesOf(role);
  const nats = services.nats;
  const failed = (what: string) => (error: unknown) => logger.error({ err: error }, what);

  if (duties.detection && nats) {
    // A hint is acknowledged once its detection committed and the signals it raised are stored by the
    // signals stream: a worker killed at any point leaves the hint to be handed out again.
    nats.observations.consume(
      async (hints) => {
        await services.detection.detect(
          [...new Set(hints.map((h) => h.seriesId))],
          [...new Set(hints.map((h) => h.organisationId))],
          carriedBySeries(hints),
        );
        await nats.bus.settled();
      },
      (subject) => logger.warn(`a message on ${subject} is not an observation hint; dropped`),
    );
  }
  if (duties.warningStage && nats) {
    nats.bus.consumeSignals((signalIds) => services.warnings.process(signalIds));
  }
  if (duties.dissemination) {
    // Deliveries left pending by a previous run (a crash included) go out now; then as warnings are published.
    services.dispatcher.start();
    if (nats) nats.bus.subscribe('warnings.published', () => services.dispatcher.wake());
  }
  if (duties.detection) {
    // Detectors resume from their checkpoints and catch up with whatever arrived while no worker ran.
    services.detection.catchUpBehind().catch(failed('detection catch-up failed'));
  }
  if (duties.warningStage) {
    // Signals raised while the warning stage was down are threaded now (each joins a thread once).
    services.warnings.catchUp().catch(failed('warning catch-up failed'));
  }

  // Each duty of the clock runs once a turn across every process of the deployment (store/duty-turn.repository.ts):
  // the work is safe to repeat (locks and checkpoints see to that), but N processes need not do it N times.
  const holder = `${os.hostname()}/${process.pid}/${role}`;
  const onTurn = (duty: string, work: () => Promise<unknown>, turnMs = TURN_MS) =>
    takeTurn(services.database.db, duty, holder, turnMs)
      .then((mine) => (mine ? work() : undefined))
      .catch(failed(`${duty} failed`));
  const ticker = setInterval(() => {
    if (duties.detection) {
      // The rules' clock: silence (stale sensors) and sliding windows advance even when no data comes.
      void onTurn('rule tick', () => services.detection.tick());
      // Work whose hint never arrived (a process killed between commit and publish) is found here.
      void onTurn('detection sweep', () => services.detection.catchUpBehind());
    }
    // Cancels after the all-clear time, expiries, renewals, lifted silences: the warnings' clock.
    if (duties.warningStage) void onTurn('warning tick', () => services.warnings.tick());
    // Other authorities' feeds, each on its own interval (and backing off while it fails); every process
    // looks, and each due feed is claimed by one of them.
    if (duties.federation) services.federation.pollDue().catch(failed('federation poll failed'));
    // PGlite has no autovacuum daemon: without this its planner would never learn how big the tables have
    // grown or how their values spread, and would keep the plans it chose for an empty database.
    if (services.database.backend === 'pglite')
      void onTurn('analyze', () => sql`analyze`.execute(services.database.db), ANALYZE_TURN_MS);
  }, TICK_MS);

  const health = duties.api ? undefined : healthServer(platform, role);
  const address = await (health ?? platform.server).listen({ port: listen.port, host: listen.host });
  return {
    address,
    stop: async () => {
      clearInterval(ticker);
      await health?.close();
    },
  };
}

/** For roles without the API: GET /health with the role and the work waiting for it, for orchestrators. */
function healthServer(platform: Platform, role: ProcessRole) {
  const { services } = platform;
  const app = Fastify({ logger: false });
  app.get('/health', async (_request, reply) => {
    try {
      await sql`select 1`.execute(services.database.db);
      const nats = services.nats;
      const duties = dutiesOf(role);
      return {
        status: 'ok',
        role,
        database: services.database.backend,
        ...(nats && duties.detection ? { observationBacklog: await nats.observations.backlog() } : {}),
        ...(nats && duties.warningStage ? { signalBacklog: await nats.bus.signalBacklog() } : {}),
      };
    } catch {
      reply.header('retry-after', '5');
      return reply.status(503).send({ status: 'unavailable', role, database: services.database.backend });
    }
  });
  return app;
}
