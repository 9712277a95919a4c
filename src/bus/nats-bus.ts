/**
 * @module The event path over NATS, for platforms split into processes. `signals.raised` goes through a
 * JetStream stream (EW4E_SIGNALS) whose durable consumer the warning stage shares, so no signal batch is
 * lost between detection in one process and warnings in another; every process's subscribers (the SSE
 * streams) also see it on the same subject. `warnings.published` is plain NATS: it wakes dispatchers,
 * which poll anyway.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { EventBus, PlatformEvents, Topic } from './event-bus.ts';
import { JetStreamQueue } from './jetstream-queue.ts';
import { ObservationStream } from './observation-stream.ts';

export const SUBJECTS: { readonly [T in Topic]: string } = {
  'signals.raised': 'ew4e.signals.raised',
  'warnings.published': 'ew4e.warnings.published',
};
export const SIGNAL_STREAM = 'EW4E_SIGNALS';
export const WARNING_STAGE_CONSUMER = 'ew4e-warning-stage';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeEvent<T extends Topic>(_topic: T, event: PlatformEvents[T]): Uint8Array {
  return encoder.encode(JSON.stringify(event));
}

/** The event in a message, or undefined when the bytes are not one of ours. */
export function decodeEvent<T extends Topic>(topic: T, bytes: Uint8Array): PlatformEvents[T] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    return undefined;
  }
  const key = topic === 'signals.raised' ? 'signalIds' : 'warningIds';
  const ids = (value as Record<string, unknown> | null)?.[key];
  if (!Array.isArray(ids) || !ids.every((id) => Number.isSafeInteger(id) && id > 0)) return undefined;
  return { [key]: ids } as unknown as PlatformEvents[T];
}

export class NatsBus implements EventBus {
  constructor(
    private readonly nc: NatsConnection,
    private readonly signals: JetStreamQueue,
    private readonly onHandlerError: (error: unknown) => void,
  ) {}

  publish<T extends Topic>(topic: T, event: PlatformEvents[T]): void {
    const payload = encodeEvent(topic, event);
    if (topic === 'signals.raised') {
      const ids = (event as PlatformEvents['signals.raised']).signalIds;
      if (ids.length === 0) return;
      this.signals.publish(SUBJECTS[topic], payload, `signals:${ids[0]}:${ids.length}:${ids.at(-1)}`);
    } else {
      // A wake-up lost while NATS is away costs a dispatcher's poll interval, nothing more.
      this.nc.publish(SUBJECTS[topic], payload);
    }
  }

  /** Every subscriber in every process gets every event (at most once): notifications, never work. */
  subscribe<T extends Topic>(topic: T, handler: (event: PlatformEvents[T]) => void): () => void {
    const subscription = this.nc.subscribe(SUBJECTS[topic], {
      callback: (error, message) => {
        if (error) return this.onHandlerError(error);
        const event = decodeEvent(topic, message.data);
        if (event === undefined) return;
        try {
          handler(event);
        } catch (e) {
          this.onHandlerError(e);
        }
      },
    });
    return () => subscription.unsubscribe();
  }

  /**
   * The warning stage's share of `signals.raised`: each batch to one process, acknowledged when `handle`
   * resolves, handed out again if it throws or the process dies (threading is idempotent: a signal joins once).
   */
  consumeSignals(handle: (signalIds: number[]) => Promise<void>): void {
    this.signals.consume(async (messages) => {
      const ids = messages.flatMap((m) => decodeEvent('signals.raised', m.data)?.signalIds ?? []);
      if (ids.length > 0) await handle(ids);
    });
  }

  /** Resolves once every signals.raised published so far is stored by the stream. */
  settled(): Promise<void> {
    return this.signals.settled();
  }

  signalBacklog(): Promise<number> {
    return this.signals.backlog();
  }

  close(): Promise<void> {
    return this.signals.close();
  }
}

export interface NatsOptions {
  readonly url: string;
  /** How long a worker may hold a message before it is handed to another. */
  readonly ackWaitMs: number;
  /** Shown in the server's connection list (`ew4e-detect-1234`). */
  readonly name: string;
}

/** The platform's NATS side: the bus, the observation stream, and the connection both use. */
export interface NatsTransport {
  readonly bus: NatsBus;
  readonly observations: ObservationStream;
  close(): Promise<void>;
}

/**
 * Observation hints a worker holds at a time, and handed to detection at once: small, so that workers share a
 * backlog evenly. Groups of 8, four in flight, keep a worker computing while PostgreSQL reads and commits for
 * the other groups (`npm run bench -- workers`, back to back: 1.25 s against 2.0 s for one group of 16).
 */
const OBSERVATION_BATCH = 32;
const OBSERVATION_GROUP = 8;

/**
 * Connects (failing at once if NATS cannot be reached: a process that cannot hand work over should not
 * start) and then reconnects for ever, in the background, whenever the connection drops.
 */
export async function connectNats(
  options: NatsOptions,
  onError: (error: unknown) => void,
): Promise<NatsTransport> {
  const nc = await connect({
    servers: options.url,
    name: options.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
  });
  try {
    const signals = await JetStreamQueue.open(
      nc,
      {
        stream: SIGNAL_STREAM,
        subjects: [SUBJECTS['signals.raised']],
        durable: WARNING_STAGE_CONSUMER,
        ackWaitMs: options.ackWaitMs,
        batch: 64,
        maxAgeMs: 7 * 86_400_000,
        maxBytes: 256 * 1024 ** 2,
      },
      onError,
    );
    const observations = await ObservationStream.open(
      nc,
      { ackWaitMs: options.ackWaitMs, batch: OBSERVATION_BATCH, group: OBSERVATION_GROUP },
      onError,
    );
    const bus = new NatsBus(nc, signals, onError);
    return {
      bus,
      observations,
      close: async () => {
        await observations.close();
        await bus.close();
        await nc.drain().catch(() => nc.close());
      },
    };
  } catch (error) {
    await nc.close();
    throw error;
  }
}
