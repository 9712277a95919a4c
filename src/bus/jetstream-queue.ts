/**
 * @module A durable work queue on NATS JetStream: a file-backed stream, one durable pull consumer shared by
 * every worker (competing consumers, explicit ack, redelivery after the ack wait), and publishing that is
 * retried until the stream has stored the message. Used for the observation hints and for signals.raised.
 */
import {
  AckPolicy,
  type ConsumerMessages,
  DiscardPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import { type NatsConnection, nanos } from '@nats-io/transport-node';

export interface WorkQueueSpec {
  readonly stream: string;
  readonly subjects: readonly string[];
  /** The durable consumer every worker shares. */
  readonly durable: string;
  /** A message not acknowledged this long after delivery goes to another worker (a crashed one's, say). */
  readonly ackWaitMs: number;
  /** Messages one worker holds at a time (handled side by side); small keeps the workers evenly loaded. */
  readonly batch: number;
  /**
   * Most messages handed to the handler in one call (default: `batch`). Below `batch`, several calls run at
   * once, so a worker computes on one group while the database answers for another.
   */
  readonly group?: number;
  readonly maxAgeMs: number;
  readonly maxBytes: number;
}

/** Past this many publishes awaiting the stream (NATS down a long while), new ones are dropped and logged. */
const MAX_PENDING_PUBLISHES = 100_000;
/** An unanswered publish is retried after this long (NATS away: the client holds it until it reconnects). */
const PUBLISH_TIMEOUT_MS = 2_000;
/** How long the stream remembers message ids, to store a retried publish once. */
const DUPLICATE_WINDOW_MS = 120_000;

export class JetStreamQueue {
  readonly #pending = new Set<Promise<void>>();
  readonly #consumers = new Set<() => Promise<void>>();
  #closed = false;
  #failing = false;

  private constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    readonly spec: WorkQueueSpec,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Creates the stream and the consumer, or brings their settings up to date; safe from many processes at once. */
  static async open(
    nc: NatsConnection,
    spec: WorkQueueSpec,
    onError: (error: unknown) => void,
  ): Promise<JetStreamQueue> {
    const jsm = await jetstreamManager(nc);
    const stream: Partial<StreamConfig> & { name: string } = {
      name: spec.stream,
      subjects: [...spec.subjects],
      storage: StorageType.File,
      // Work-queue retention: a message leaves the stream once acknowledged; age and size bound the rest.
      retention: RetentionPolicy.Workqueue,
      max_age: nanos(spec.maxAgeMs),
      max_bytes: spec.maxBytes,
      discard: DiscardPolicy.Old,
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    };
    const exists = await jsm.streams.info(spec.stream).then(
      () => true,
      () => false,
    );
    if (exists) await jsm.streams.update(spec.stream, stream);
    else await jsm.streams.add(stream);
    const consumer = {
      durable_name: spec.durable,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(spec.ackWaitMs),
      // Unlimited: a hint that keeps failing (the database down) is retried with a growing delay, never dropped.
      max_deliver: -1,
      max_ack_pending: 10_000,
    };
    const consumerExists = await jsm.consumers.info(spec.stream, spec.durable).then(
      () => true,
      () => false,
    );
    if (consumerExists) await jsm.consumers.update(spec.stream, spec.durable, consumer);
    else await jsm.consumers.add(spec.stream, consumer);
    return new JetStreamQueue(jetstream(nc), jsm, spec, onError);
  }

  /**
   * Publishes in the background, retried until the stream stores it (NATS restarting, say); the id makes a
   * retry after an unanswered attempt harmless. `settled()` says when everything published so far is stored.
   */
  publish(subject: string, payload: Uint8Array, messageId: string): void {
    if (this.#closed) return;
    if (this.#pending.size >= MAX_PENDING_PUBLISHES) {
      this.onError(new Error(`${this.spec.stream}: ${MAX_PENDING_PUBLISHES} publishes waiting; one dropped`));
      return;
    }
    const attempt: Promise<void> = this.#publishUntilStored(subject, payload, messageId).finally(() =>
      this.#pending.delete(attempt),
    );
    this.#pending.add(attempt);
  }

  async #publishUntilStored(subject: string, payload: Uint8Array, msgID: string): Promise<void> {
    for (let failures = 0; !this.#closed; failures++) {
      try {
        await this.js.publish(subject, payload, { msgID, timeout: PUBLISH_TIMEOUT_MS });
        this.#failing = false;
        return;
      } catch (error) {
        // One line per outage, not one per message.
        if (!this.#failing) this.onError(error);
        this.#failing = true;
        await sleep(Math.min(1_000, 100 * 2 ** failures));
      }
    }
  }

  /** Resolves once every message published before the call is stored by the stream (or the queue closed). */
  async settled(): Promise<void> {
    await Promise.all([...this.#pending]);
  }

  /** Publishes not yet stored. */
  get unsent(): number {
    return this.#pending.size;
  }

  /**
   * Hands the messages to `handle` in batches of what has arrived (at most `spec.batch`), acknowledging them
   * once it resolves; when it throws they are handed out again after a growing delay. Survives NATS restarts.
   */
  consume(handle: (messages: readonly JsMsg[]) => Promise<void>): void {
    let stopped = false;
    let messages: ConsumerMessages | undefined;
    const run = async () => {
      while (!stopped && !this.#closed) {
        try {
          const consumer = await this.js.consumers.get(this.spec.stream, this.spec.durable);
          messages = await consumer.consume({ max_messages: this.spec.batch });
          void this.#watchHeartbeats(messages);
          // Groups of what has arrived together are handled side by side, up to `batch` messages at once:
          // a worker overlaps its database round trips, and stops pulling while it is full, which keeps
          // the backlog shared evenly between workers.
          const running = new Set<Promise<void>>();
          const groupMax = this.spec.group ?? this.spec.batch;
          let inFlight = 0;
          let group: JsMsg[] = [];
          const iterator = messages[Symbol.asyncIterator]();
          let next = iterator.next();
          for (;;) {
            const result = await next;
            if (result.done) break;
            group.push(result.value);
            next = iterator.next();
            // What is already buffered arrives before the next turn of the event loop: take it along.
            // (The iterator's own pending count also counts status events, so it cannot say this.)
            const buffered = await Promise.race([next.then(() => true), nextTurn().then(() => false)]);
            if (buffered && inFlight + group.length < this.spec.batch && group.length < groupMax) continue;
            const taken = group;
            group = [];
            inFlight += taken.length;
            const run: Promise<void> = this.#handleBatch(taken, handle).finally(() => {
              inFlight -= taken.length;
              running.delete(run);
            });
            running.add(run);
            while (inFlight >= this.spec.batch) await Promise.race(running);
          }
          await Promise.all(running);
        } catch (error) {
          if (stopped || this.#closed) return;
          this.onError(error);
          await sleep(1_000);
        }
      }
    };
    const running = run();
    this.#consumers.add(async () => {
      stopped = true;
      messages?.stop();
      await running;
    });
  }

  async #handleBatch(batch: readonly JsMsg[], handle: (messages: readonly JsMsg[]) => Promise<void>) {
    // Long work keeps its messages: they are not handed to another worker while this one is on them.
    const keepAlive = setInterval(() => {
      for (const m of batch) m.working();
    }, this.spec.ackWaitMs / 2);
    try {
      await handle(batch);
      for (const m of batch) m.ack();
    } catch (error) {
      this.onError(error);
      for (const m of batch) m.nak(Math.min(60_000, 1_000 * 2 ** Math.min(6, m.info.deliveryCount - 1)));
    } finally {
      clearInterval(keepAlive);
    }
  }

  /** The client's advice: a consume that misses heartbeats may be stuck behind a server it lost; start again. */
  async #watchHeartbeats(messages: ConsumerMessages): Promise<void> {
    for await (const status of messages.status()) {
      if (status.type === 'heartbeats_missed' && status.count >= 2) messages.stop();
    }
  }

  /** Messages waiting for a worker plus those handed out and not yet acknowledged. */
  async backlog(): Promise<number> {
    const info = await this.jsm.consumers.info(this.spec.stream, this.spec.durable);
    return info.num_pending + info.num_ack_pending;
  }

  /** Stops consuming (the batch in hand finishes and is acknowledged) and waits a little for unsent publishes. */
  async close(graceMs = 2_000): Promise<void> {
    await Promise.all([...this.#consumers].map((stop) => stop()));
    await Promise.race([this.settled(), sleep(graceMs)]);
    this.#closed = true;
  }
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
