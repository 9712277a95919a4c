/** @module The wiring: builds the platform from its parts. The only place where parts meet; everything else receives what it needs. */
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { LRUCache } from 'lru-cache';
import { WEB_DIST } from '../web/build.ts';
import { type EventBus, InProcessBus } from './bus/event-bus.ts';
import { connectNats, type NatsTransport } from './bus/nats-bus.ts';
import type { Config } from './config.ts';
import { DetectionService } from './detect/detection-service.ts';
import { DETECTORS } from './detect/detectors.ts';
import { EventIngest } from './ingest/event-ingest.ts';
import { ObservationIngest } from './ingest/observation-ingest.ts';
import { createChannels, sendConfirmation, storedWebhookSecret } from './notify/channel-setup.ts';
import { generateWebhookSecret } from './notify/channels/webhook.ts';
import { Dispatcher } from './notify/dispatcher.ts';
import { writeOutbox } from './notify/outbox.ts';
import { Subscriptions } from './notify/subscriptions.ts';
import { type Caller, hashApiKey } from './registry/access.ts';
import { buildHttpServer, type HttpServer } from './server/http-server.ts';
import { registerWebApp } from './server/web-app.ts';
import { callerOfKey, installBootstrapKey, KeyUsage } from './store/access.repository.ts';
import { type Database, openDatabase } from './store/database.ts';
import { migrateToLatest } from './store/migrate.ts';
import { ObservationRepository } from './store/observation.repository.ts';
import { installReferenceData } from './store/reference-data.ts';
import { SeriesDirectory } from './store/series.repository.ts';
import { worldPopulationIndex } from './warn/exposure.ts';
import { FederationService } from './warn/federation/federation-service.ts';
import { WarningService } from './warn/warning-service.ts';

/** What the HTTP edge, the CLI and the demo use: the database and the services over it. */
export interface Services {
  readonly database: Database;
  readonly globalOrganisationId: number;
  readonly access: {
    callerOfKey(key: string): Promise<Caller | undefined>;
    /** Drops remembered callers: after a key is revoked or an organisation added, this process knows at once. */
    forgetKeys(): void;
  };
  readonly observations: ObservationRepository;
  readonly observationIngest: ObservationIngest;
  readonly eventIngest: EventIngest;
  readonly detection: DetectionService;
  readonly warnings: WarningService;
  readonly federation: FederationService;
  readonly subscriptions: Subscriptions;
  readonly dispatcher: Dispatcher;
  /** The Standard Webhooks secret of an endpoint URL: one per endpoint, made on its first subscription. */
  webhookSecretFor(target: string): Promise<string>;
  /** Sends the double opt-in link (e-mail) or code (SMS) of a self-service subscription. */
  sendConfirmation(channel: 'email' | 'sms', target: string, token: string): Promise<void>;
  readonly bus: EventBus;
  /** The stages' hand-over between processes when EW4E_NATS_URL is set; absent, they meet in this process. */
  readonly nats: NatsTransport | undefined;
  readonly publicUrl: string;
  /** Where spoken and printed bulletins are kept once made. */
  readonly mediaDir: string;
}

export interface Platform {
  readonly services: Services;
  readonly server: HttpServer;
  close(): Promise<void>;
}

const CALLER_TTL_MS = 5_000;

/** A day of clock skew is tolerated; further in the future is a sender's error. */
const MAX_FUTURE_MS = 86_400_000;

/** Opens storage, brings the schema and reference data up to date, and installs the bootstrap admin key. */
export async function createServices(
  config: Config,
  database?: Database,
  log: Pick<FastifyBaseLogger, 'error'> = { error: () => undefined },
  nats?: NatsTransport,
): Promise<Services> {
  const db = database ?? (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  await migrateToLatest(db);
  const globalOrganisationId = await installReferenceData(db.db);
  if (config.adminKey) await installBootstrapKey(db.db, globalOrganisationId, config.adminKey);
  const observations = new ObservationRepository(db);
  const keyUsage = new KeyUsage(db.db);
  const bus = nats?.bus ?? new InProcessBus((error) => log.error({ err: error }, 'event handler failed'));
  const detection = new DetectionService(
    db.db,
    DETECTORS,
    (signalIds) => bus.publish('signals.raised', { signalIds }),
    config.detectionGatherMs,
    (error) => log.error({ err: error }, 'detection failed'),
  );
  const webhookSecrets = new Map<string, string>();
  const channels = createChannels(config.delivery, webhookSecrets);
  const dispatcher = new Dispatcher(db.db, {
    publicUrl: config.publicUrl,
    channels,
    baseBackoffMs: config.delivery.baseBackoffMs,
    maxBackoffMs: config.delivery.maxBackoffMs,
    coolDownMs: config.delivery.coolDownMs,
    leaseMs: config.delivery.leaseMs,
    webhookSecrets,
    onError: (error) => log.error({ err: error }, 'delivery failed'),
  });
  const warnings = new WarningService(db.db, {
    publicUrl: config.publicUrl,
    population: worldPopulationIndex,
    onPublished: (warningIds) => {
      bus.publish('warnings.published', { warningIds });
      dispatcher.wake();
    },
    onError: (error) => log.error({ err: error }, 'warning stage failed'),
    outbox: writeOutbox,
  });
  // Signals become warnings behind detection, through the bus: the stages stay apart. Over NATS, the
  // processes that run the warning stage consume signals.raised durably instead (cli/serve-duties.ts).
  if (nats === undefined) bus.subscribe('signals.raised', ({ signalIds }) => warnings.notify(signalIds));
  // A few seconds of memory spares every request a query; other processes see a revocation within that time.
  const callers = new LRUCache<string, Caller>({ max: 10_000, ttl: CALLER_TTL_MS });
  const limits = { maxBatchRows: config.maxBatchRows, maxFutureMs: MAX_FUTURE_MS };
  return {
    database: db,
    globalOrganisationId,
    access: {
      callerOfKey: async (key) => {
        const hash = hashApiKey(key);
        const caller = callers.get(hash) ?? (await callerOfKey(db.db, key));
        if (caller === undefined) return undefined;
        callers.set(hash, caller);
        await keyUsage.touch(caller.keyId);
        return caller;
      },
      forgetKeys: () => callers.clear(),
    },
    observations,
    // Detection runs behind the acknowledgement, from what is stored: a crash loses no work, it resumes.
    observationIngest: new ObservationIngest(observations, new SeriesDirectory(db.db), limits, (stored) =>
      nats === undefined
        ? detection.notify(stored.map((s) => s.seriesId))
        : nats.observations.publish(stored),
    ),
    detection,
    warnings,
    federation: new FederationService(db.db),
    subscriptions: new Subscriptions(db.db),
    dispatcher,
    // One secret per endpoint: a new subscription to a known receiver URL gets the secret it already has.
    webhookSecretFor: async (target) => (await storedWebhookSecret(db.db, target)) ?? generateWebhookSecret(),
    sendConfirmation: (channel, target, token) =>
      sendConfirmation(config.delivery, config.publicUrl, channel, target, token).catch((error: unknown) =>
        log.error({ err: error }, 'confirmation could not be sent'),
      ),
    bus,
    nats,
    publicUrl: config.publicUrl,
    mediaDir: path.join(config.dataDir, 'media'),
    eventIngest: new EventIngest(db, limits, (organisationId) =>
      detection.notifyOrganisation(organisationId),
    ),
  };
}

export async function createPlatform(
  config: Config,
  logger: FastifyBaseLogger | boolean,
  database?: Database,
): Promise<Platform> {
  const log = typeof logger === 'boolean' ? undefined : logger;
  const nats =
    config.nats &&
    (await connectNats({ ...config.nats, name: `ew4e-${config.role ?? 'all'}-${process.pid}` }, (error) =>
      log?.error({ err: error }, 'NATS'),
    ));
  const services = await createServices(config, database, log, nats);
  const server = await buildHttpServer(services, {
    logger,
    maxBodyBytes: config.maxBodyBytes,
    maxBatchRows: config.maxBatchRows,
    ...(config.trustProxy === undefined ? {} : { trustProxy: config.trustProxy }),
    ...(config.rateLimits === undefined ? {} : { rateLimits: config.rateLimits }),
  });
  await registerWebApp(server, config.webDir ?? WEB_DIST);
  return {
    services,
    server,
    close: async () => {
      services.detection.stop();
      await services.warnings.idle();
      await services.dispatcher.stop();
      await server.close();
      await nats?.close();
      await services.database.close();
    },
  };
}
