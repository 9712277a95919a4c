/**
 * @module MQTT ingestion, the adapter: subscribes to `{prefix}/+/+/observations` (topic tree in mqtt-topics.ts)
 * with a persistent session at QoS 1 and ingests each message as one atomic batch through ObservationIngest, as
 * POST /v1/observations does (same parsers, QC, units). The PUBACK is sent only after the batch committed, so a
 * message the broker counts as delivered survives kill -9; one that is refused gets a reason code and a
 * report on `{prefix}/{org}/{station}/errors`; while the database is unavailable nothing is acknowledged and the
 * connection is dropped, so the broker sends the message again after we reconnect (MQTT 5.0 §4.4).
 *
 * Who may publish to `{prefix}/{org}/#` is the broker's to enforce (Mosquitto: an ACL per gateway user): EW4E
 * takes the organisation in the topic as the sender, checks that the station and every series are its own,
 * and ingests as that organisation.
 *
 * Messages are taken one at a time (mqtt.js holds the next until the PUBACK), about a hundred a second on
 * PostgreSQL: gateways should put many readings in one message. The broker must be able to queue what arrives
 * meanwhile or while EW4E is down: Mosquitto drops messages for a subscriber beyond `max_queued_messages`
 * (default 1000) although it acknowledged them to the sensor, so raise it (or set 0) for this client.
 */
import { connect, type IPublishPacket, type MqttClient } from 'mqtt';
import { Ew4eError } from '../errors.ts';
import type { Caller } from '../registry/access.ts';
import type { StationDirectory } from '../store/station-ingest.repository.ts';
import {
  errorsTopic,
  type IngestProblemReport,
  type IngestTopic,
  observationsFilter,
  parseIngestTopic,
  payloadFormat,
  problemReport,
  pubackReasonOf,
} from './mqtt-topics.ts';
import { type ObservationIngest, placeOf } from './observation-ingest.ts';
import { type ParsedObservation, parseObservations } from './observation-parser.ts';
import type { RowProblem } from './row-problem.ts';

export interface MqttIngestOptions {
  /** The broker, e.g. `mqtt://user:password@127.0.0.1:1883`. */
  readonly url: string;
  /** Fixed, so that the broker keeps this subscriber's session (and its unacknowledged messages) across restarts. */
  readonly clientId: string;
  /** The first levels of the topic tree, default `ew4e/in`. */
  readonly prefix: string;
  /** Larger payloads are refused as EW4E_BATCH_TOO_LARGE, as larger HTTP bodies are. */
  readonly maxPayloadBytes: number;
  /** After the database failed, wait this long before reconnecting to have the message sent again. Default 2 s. */
  readonly retryDelayMs?: number;
}

export interface IngestLog {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface MqttIngestDependencies {
  readonly ingest: Pick<ObservationIngest, 'ingest'>;
  readonly stations: Pick<StationDirectory, 'resolve'>;
  readonly log: IngestLog;
  readonly now?: () => number;
}

export interface MqttIngest {
  /** Settles once the first connection has subscribed (it waits while the broker is unreachable). */
  readonly ready: Promise<void>;
  /** Finishes the message in hand (and acknowledges it), then disconnects, keeping the broker's session. */
  stop(): Promise<void>;
}

/** What became of one message. */
type Outcome =
  | { readonly kind: 'stored'; readonly accepted: number }
  | {
      readonly kind: 'refused';
      readonly report: IngestProblemReport;
      readonly reportTopic: string | undefined;
    }
  | { readonly kind: 'retry'; readonly error: unknown };

/** A week: a gateway outage or a long maintenance of EW4E does not lose the queued messages. */
const SESSION_EXPIRY_S = 7 * 24 * 3600;
const DEFAULT_RETRY_DELAY_MS = 2_000;
const BROKER_RECONNECT_MS = 2_000;
const STOP_GRACE_MS = 2_000;

export function startMqttIngest(
  options: MqttIngestOptions,
  dependencies: MqttIngestDependencies,
): MqttIngest {
  const { ingest, stations, log } = dependencies;
  const now = dependencies.now ?? Date.now;
  const retryDelayMs = options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
  const utf8 = new TextDecoder('utf-8', { fatal: true });

  let client: MqttClient | undefined;
  let stopping = false;
  let reconnectTimer: NodeJS.Timeout | undefined;
  /** The message being ingested: mqtt.js hands them over one at a time. */
  let inHand: Promise<unknown> = Promise.resolve();
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  const refused = (topic: string, where: IngestTopic | undefined, error: Ew4eError): Outcome => ({
    kind: 'refused',
    report: problemReport(topic, error, now()),
    reportTopic: where === undefined ? undefined : errorsTopic(options.prefix, where),
  });

  /** Ingests one message; never throws. */
  async function ingestMessage(topic: string, payload: Buffer, packet: IPublishPacket): Promise<Outcome> {
    const where = parseIngestTopic(options.prefix, topic);
    try {
      if (where === undefined) {
        throw new Ew4eError(
          'EW4E_BAD_REQUEST',
          `topic "${topic}" is not ${options.prefix}/<organisation>/<station>/observations`,
        );
      }
      if (payload.length > options.maxPayloadBytes) {
        throw new Ew4eError(
          'EW4E_BATCH_TOO_LARGE',
          `the payload has ${payload.length} bytes; at most ${options.maxPayloadBytes} are accepted`,
        );
      }
      let text: string;
      try {
        text = utf8.decode(payload);
      } catch {
        throw new Ew4eError('EW4E_BAD_REQUEST', 'the payload is not UTF-8 text');
      }
      const format = payloadFormat(packet.properties?.contentType, text);
      if (format === undefined) {
        throw new Ew4eError(
          'EW4E_UNSUPPORTED_MEDIA_TYPE',
          `content type "${packet.properties?.contentType}" is not application/json, application/x-ndjson or text/csv`,
        );
      }
      let station = await stations.resolve(where.organisationCode, where.stationCode);
      if (station === undefined) {
        throw new Ew4eError(
          'EW4E_NOT_FOUND',
          `station "${where.stationCode}" not found in organisation "${where.organisationCode}"`,
        );
      }
      const parsed = parseObservations(text, format);
      if (parsed.rows.some((r) => !station!.seriesByKey.has(r.series))) {
        station = (await stations.resolve(where.organisationCode, where.stationCode, true)) ?? station;
      }
      // Only the station's own series: the topic names the station, so a row cannot reach another one's.
      const problems: RowProblem[] = [...parsed.problems];
      const rows: ParsedObservation[] = [];
      for (const row of parsed.rows) {
        const seriesId = station.seriesByKey.get(row.series);
        if (seriesId === undefined) {
          const measured = station.variables.length > 0 ? station.variables.join(', ') : 'nothing yet';
          problems.push({
            ...placeOf(row, 'series'),
            reason: `station "${where.stationCode}" has no series "${row.series}"; it measures ${measured}`,
          });
        } else {
          rows.push({ ...row, series: String(seriesId) });
        }
      }
      const caller: Caller = {
        keyId: 0,
        actor: `mqtt:${options.clientId}`,
        organisationId: station.organisationId,
        role: 'analyst',
        readableOrganisationIds: [station.organisationId],
      };
      const summary = await ingest.ingest(caller, { rows, problems });
      return { kind: 'stored', accepted: summary.accepted };
    } catch (error) {
      if (Ew4eError.is(error)) {
        if (error.code === 'EW4E_UNAVAILABLE') return { kind: 'retry', error };
        return refused(topic, where, error);
      }
      // A bug, not the sender's fault: logged in full; refused rather than retried for ever, and reported.
      log.error({ err: error, topic }, 'MQTT ingestion failed');
      return refused(
        topic,
        where,
        new Ew4eError('EW4E_INTERNAL', 'an internal error occurred; it has been logged'),
      );
    }
  }

  /** Drops the connection without acknowledging, and comes back later: the broker then sends it again. */
  function retryLater(error: unknown): void {
    if (reconnectTimer !== undefined || stopping) return;
    log.warn(
      { err: error instanceof Error ? (error.cause ?? error) : error, retryInMs: retryDelayMs },
      'MQTT ingestion paused: the database is unavailable; the broker keeps the message',
    );
    client?.end(true);
    client = undefined;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      if (!stopping) client = open();
    }, retryDelayMs);
  }

  function open(): MqttClient {
    const created: MqttClient = connect(options.url, {
      clientId: options.clientId,
      protocolVersion: 5,
      clean: false,
      properties: { sessionExpiryInterval: SESSION_EXPIRY_S },
      reconnectPeriod: BROKER_RECONNECT_MS,
      connectTimeout: 10_000,
      customHandleAcks: (topic, payload, packet, done) => {
        // Not acknowledged while stopping: the broker keeps it for the next start.
        if (stopping || created !== client) return;
        const handling = ingestMessage(topic, payload, packet).then((outcome) => {
          switch (outcome.kind) {
            case 'stored':
              done(0);
              return;
            case 'refused':
              log.warn(
                { topic, code: outcome.report.code, detail: outcome.report.detail },
                'MQTT message refused',
              );
              if (outcome.reportTopic !== undefined) {
                // Not awaited: its PUBACK comes in behind this message, which mqtt.js holds until done().
                created.publish(
                  outcome.reportTopic,
                  JSON.stringify(outcome.report),
                  { qos: 1, properties: { contentType: 'application/json' } },
                  (error) => {
                    if (error)
                      log.warn({ err: error, topic: outcome.reportTopic }, 'MQTT error report not sent');
                  },
                );
              }
              done(pubackReasonOf(outcome.report.code));
              return;
            case 'retry':
              retryLater(outcome.error);
              return;
            default:
              outcome satisfies never;
          }
        });
        inHand = handling;
      },
    });
    // Without a listener an 'error' event would throw and take the process down; mqtt.js reconnects by itself.
    created.on('error', (error) => log.warn({ err: error }, 'MQTT ingestion: broker error'));
    created.on('connect', () => {
      created.subscribe(observationsFilter(options.prefix), { qos: 1 }, (error) => {
        if (error) log.error({ err: error }, 'MQTT ingestion could not subscribe');
        else markReady();
      });
    });
    return created;
  }

  client = open();
  return {
    ready,
    stop: async () => {
      stopping = true;
      clearTimeout(reconnectTimer);
      await inHand;
      const closing = client;
      client = undefined;
      if (closing === undefined) return;
      // A clean DISCONNECT that keeps the session (no unsubscribe); forced if the broker does not answer.
      const force = setTimeout(() => closing.end(true), STOP_GRACE_MS);
      await closing.endAsync(false).catch(() => undefined);
      clearTimeout(force);
    },
  };
}
