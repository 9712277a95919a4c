/**
 * @module The observation stream: after a batch commits, the ingesting process publishes to
 * `ew4e.obs.<partition>` (stream EW4E_OBS) a message per partition with a hint per series, each carrying the
 * batch's rows of its series when they fit; detect workers share one durable consumer and acknowledge a message
 * only once detection for all its hints has committed.
 */
import { randomUUID } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import { JetStreamQueue } from './jetstream-queue.ts';
import {
  decodeHints,
  encodedSizeOf,
  encodeHints,
  MAX_MESSAGE_BYTES,
  OBSERVATION_SUBJECT_PREFIX,
  type ObservationHint,
  subjectOf,
} from './observation-hint.ts';

export const OBSERVATION_STREAM = 'EW4E_OBS';
export const DETECT_CONSUMER = 'ew4e-detect';

export class ObservationStream {
  private constructor(private readonly queue: JetStreamQueue) {}

  static async open(
    nc: NatsConnection,
    options: { ackWaitMs: number; batch: number; group?: number },
    onError: (error: unknown) => void,
  ): Promise<ObservationStream> {
    const queue = await JetStreamQueue.open(
      nc,
      {
        stream: OBSERVATION_STREAM,
        subjects: [`${OBSERVATION_SUBJECT_PREFIX}.>`],
        durable: DETECT_CONSUMER,
        ackWaitMs: options.ackWaitMs,
        batch: options.batch,
        ...(options.group === undefined ? {} : { group: options.group }),
        // Messages older than a week, or beyond 1 GiB (≈ 67 million carried rows), are dropped: the workers'
        // sweep of series behind their checkpoints finds that work anyway, from the database.
        maxAgeMs: 7 * 86_400_000,
        maxBytes: 1024 ** 3,
      },
      onError,
    );
    return new ObservationStream(queue);
  }

  /**
   * Called after the batch committed; returns at once, the hints are stored by the stream in the background.
   * The hints of one partition go together, in messages of at most MAX_MESSAGE_BYTES. Each message has an id
   * of its own, kept over its retries, so that a publish retried after an unanswered attempt is stored once.
   */
  publish(hints: readonly ObservationHint[]): void {
    const filling = new Map<string, { hints: ObservationHint[]; bytes: number }>();
    const send = (subject: string, message: readonly ObservationHint[]) =>
      this.queue.publish(subject, encodeHints(message), `obs:${randomUUID()}`);
    for (const hint of hints) {
      const subject = subjectOf(hint.seriesId);
      const size = encodedSizeOf(hint);
      const message = filling.get(subject);
      if (message !== undefined && message.bytes + size <= MAX_MESSAGE_BYTES) {
        message.hints.push(hint);
        message.bytes += size;
        continue;
      }
      if (message !== undefined) send(subject, message.hints);
      filling.set(subject, { hints: [hint], bytes: size });
    }
    for (const [subject, message] of filling) send(subject, message.hints);
  }

  /** Resolves when every hint published so far is stored by the stream. */
  settled(): Promise<void> {
    return this.queue.settled();
  }

  /**
   * Hands batches of hints to `detect`; they are acknowledged when it resolves and handed out again (to this
   * worker or another) when it throws or the worker dies. Messages that are not hints are dropped.
   */
  consume(detect: (hints: ObservationHint[]) => Promise<void>, onStranger: (subject: string) => void): void {
    this.queue.consume(async (messages) => {
      const hints: ObservationHint[] = [];
      for (const m of messages) {
        const decoded = decodeHints(m.data);
        if (decoded === undefined) onStranger(m.subject);
        else hints.push(...decoded);
      }
      if (hints.length > 0) await detect(hints);
    });
  }

  /** Hints waiting for a worker or being worked on, and hints this process has not yet got stored. */
  async backlog(): Promise<{ waiting: number; unsent: number }> {
    return { waiting: await this.queue.backlog(), unsent: this.queue.unsent };
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
