/**
 * @module The observation stream: after a batch commits, the ingesting process publishes one hint per series
 * to `ew4e.obs.<partition>` (stream EW4E_OBS); detect workers share one durable consumer and acknowledge a
 * hint only once detection for it has committed.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { JetStreamQueue } from './jetstream-queue.ts';
import {
  decodeHint,
  encodeHint,
  messageIdOf,
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
        // Hints older than a week, or beyond 1 GiB, are dropped: the workers' sweep of series behind their
        // checkpoints finds that work anyway.
        maxAgeMs: 7 * 86_400_000,
        maxBytes: 1024 ** 3,
      },
      onError,
    );
    return new ObservationStream(queue);
  }

  /** Called after the batch committed; returns at once, the hints are stored by the stream in the background. */
  publish(hints: readonly ObservationHint[]): void {
    for (const hint of hints)
      this.queue.publish(subjectOf(hint.seriesId), encodeHint(hint), messageIdOf(hint));
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
        const hint = decodeHint(m.data);
        if (hint === undefined) onStranger(m.subject);
        else hints.push(hint);
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
