/**
 * @module The delivery workers: claim due deliveries (FOR UPDATE SKIP LOCKED, with a lease), send each
 * through its channel — a few at a time per endpoint, behind a circuit breaker — record every attempt,
 * retry with backoff and jitter, dead-letter after the limit, and escalate unacknowledged warnings.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import {
  type AttemptRecord,
  type ClaimedDelivery,
  claimDigestRest,
  claimDueDeliveries,
  insertDeliveries,
  overdueAcknowledgements,
  postponeDelivery,
  recordAttempts,
} from '../store/delivery.repository.ts';
import type { Schema } from '../store/schema.ts';
import { parseCapXml } from '../warn/cap/cap-xml.ts';
import type { Channel, ChannelKind, DeliveryAttempt, DigestMessage, WarningMessage } from './channel.ts';
import {
  afterAttempt,
  type BreakerState,
  DEFAULT_COOL_DOWN_MS,
  initialBreaker,
  mayAttempt,
} from './circuit-breaker.ts';
import { digestItems } from './digest.ts';
import { createEndpointLimiter } from './endpoint-limiter.ts';
import { isDeadLetter, MAX_ATTEMPTS, nextAttemptDelayMs } from './retry-policy.ts';
import { deliveryIdOf, digestIdOf } from './subscription-rules.ts';

export interface DispatcherOptions {
  readonly publicUrl: string;
  readonly channels: ReadonlyMap<ChannelKind, Channel>;
  /** First retry delay; doubles per attempt (with full jitter) up to an hour. */
  readonly baseBackoffMs: number;
  readonly maxBackoffMs: number;
  /** How long an endpoint's circuit stays open before one probe goes through. */
  readonly coolDownMs?: number;
  /** How long a claim holds: a crashed worker's deliveries are taken again after it. */
  readonly leaseMs: number;
  readonly batch?: number;
  readonly perEndpoint?: number;
  readonly pollMs?: number;
  readonly maxAttempts?: number;
  readonly onError?: (error: unknown) => void;
  readonly clock?: () => number;
  /**
   * Where the webhook channel finds each endpoint's secret: filled from the subscriptions of a round for its
   * sends, and emptied after them (kept, it would grow with every endpoint ever served).
   */
  readonly webhookSecrets?: Map<string, string>;
}

/** A per-delivery token for acknowledgement links: knowing the delivery id alone is not enough. */
export function acknowledgeToken(deliveryId: string, unsubscribeToken: string): string {
  return createHash('sha256').update(`${deliveryId}:${unsubscribeToken}`).digest('base64url').slice(0, 22);
}

export class Dispatcher {
  readonly #db: Kysely<Schema>;
  readonly #options: DispatcherOptions;
  readonly #limiter;
  readonly #breakers = new Map<string, BreakerState>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;

  constructor(db: Kysely<Schema>, options: DispatcherOptions) {
    this.#db = db;
    this.#options = options;
    this.#limiter = createEndpointLimiter(options.perEndpoint ?? 4);
  }

  #now(): number {
    return (this.#options.clock ?? Date.now)();
  }

  /** Polls for due deliveries; `wake()` runs a round at once (after a publication). */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.wake(), this.#options.pollMs ?? 500);
  }

  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
    for (const channel of this.#options.channels.values()) await channel.close?.();
  }

  /** Runs a round now if the workers are started (tests drive `runOnce`/`drain` themselves). */
  wake(): void {
    if (this.#timer === undefined) return;
    if (this.#running !== undefined) {
      this.#again = true;
      return;
    }
    this.#running = this.drain()
      .then(() => undefined)
      .catch((error: unknown) => this.#options.onError?.(error))
      .finally(() => {
        this.#running = undefined;
        if (this.#again) {
          this.#again = false;
          this.wake();
        }
      });
  }

  /** Rounds until nothing is due now; returns how many deliveries were attempted. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.runOnce();
      total += n;
      if (n === 0) break;
    }
    await this.escalate();
    return total;
  }

  /** One round: claim a batch and send it — each delivery alone, or a subscriber's digest as one message. */
  async runOnce(nowMs = this.#now(), batch = this.#options.batch ?? 200): Promise<number> {
    const leaseMs = this.#options.leaseMs;
    const claimed = await claimDueDeliveries(this.#db, nowMs, batch, leaseMs);
    if (claimed.length === 0) return 0;
    const singles: ClaimedDelivery[] = [];
    const digests = new Map<string, ClaimedDelivery[]>();
    for (const d of claimed) {
      const digestible = this.#options.channels.get(d.channel as ChannelKind)?.sendDigest !== undefined;
      if (d.digest_at === null || !digestible) {
        singles.push(d);
        continue;
      }
      const key = `${d.subscription_id}@${d.digest_at.getTime()}`;
      digests.set(key, [...(digests.get(key) ?? []), d]);
    }
    for (const group of digests.values()) {
      const first = group[0] as ClaimedDelivery;
      group.push(
        ...(await claimDigestRest(this.#db, first.subscription_id, first.digest_at as Date, nowMs, leaseMs)),
      );
    }
    const all = [...singles, ...[...digests.values()].flat()];
    const subscriptions = await subscriptionsOf(this.#db, all);
    const secrets = this.#options.webhookSecrets;
    for (const d of all) {
      const secret = subscriptions.get(d.subscription_id)?.webhook_secret;
      if (d.channel === 'webhook' && secret) secrets?.set(d.target, secret);
    }
    const messages = new MessageBuilder(this.#db, this.#options.publicUrl, subscriptions);
    const outcomes = await Promise.all([
      ...singles.map((d) => this.#limiter.run(d.target, () => this.#deliver([d], messages))),
      ...[...digests.values()].map((group) =>
        this.#limiter.run(group[0]?.target ?? '', () => this.#deliver(group, messages)),
      ),
    ]).finally(() => {
      for (const d of all) secrets?.delete(d.target);
    });
    // One transaction for the round's attempts: per delivery it cost four round trips. A crash before it
    // commits sends the round again once the lease runs out: at least once, under the same ids.
    await recordAttempts(this.#db, outcomes.flat(), this.#now());
    return claimed.length;
  }

  /** Sends one delivery, or several of one subscriber as its digest; returns the attempt to record on each. */
  async #deliver(deliveries: readonly ClaimedDelivery[], messages: MessageBuilder): Promise<AttemptRecord[]> {
    const nowMs = this.#now();
    const delivery = deliveries[0];
    if (delivery === undefined) return [];
    const channel = this.#options.channels.get(delivery.channel as ChannelKind);
    let attempt: DeliveryAttempt & { retryAfterMs?: number };
    const breakerOptions = { coolDownMs: this.#options.coolDownMs ?? DEFAULT_COOL_DOWN_MS };
    // Outages happen per webhook endpoint, but per gateway or broker for the other channels.
    const endpoint = delivery.channel === 'webhook' ? delivery.target : delivery.channel;
    const decision = mayAttempt(this.#breakers.get(endpoint) ?? initialBreaker(), nowMs, breakerOptions);
    this.#breakers.set(endpoint, decision.breaker);
    if (channel === undefined) {
      attempt = {
        outcome: 'retry',
        responseCode: null,
        error: `no ${delivery.channel} channel is configured`,
        latencyMs: 0,
      };
    } else if (!decision.allowed) {
      // The endpoint's circuit is open: wait for its probe, without counting this against the delivery.
      const reopensAt =
        (decision.breaker.openedAtMs ?? nowMs) + (this.#options.coolDownMs ?? DEFAULT_COOL_DOWN_MS);
      for (const d of deliveries)
        await postponeDelivery(this.#db, d.id, new Date(Math.max(reopensAt, nowMs + 1000)));
      return [];
    } else {
      try {
        if (delivery.digest_at !== null && channel.sendDigest !== undefined) {
          attempt = await channel.sendDigest(await messages.digestOf(deliveries), delivery.target);
        } else {
          attempt = await channel.send(await messages.of(delivery), delivery.target);
        }
      } catch (error) {
        attempt = {
          outcome: 'retry',
          responseCode: null,
          error: error instanceof Error ? error.message : String(error),
          latencyMs: 0,
        };
      }
      // A definite refusal (410, a bad number) is an answer: only passing failures count towards opening.
      this.#breakers.set(
        endpoint,
        afterAttempt(decision.breaker, attempt.outcome !== 'retry', this.#now(), breakerOptions),
      );
    }
    const maxAttempts = this.#options.maxAttempts ?? MAX_ATTEMPTS;
    // The parts of a digest keep one schedule, so that they are retried together as the same digest.
    const attempts = Math.max(...deliveries.map((d) => d.attempts));
    const status: 'pending' | 'delivered' | 'failed' | 'dead' =
      attempt.outcome === 'delivered'
        ? 'delivered'
        : attempt.outcome === 'failed'
          ? 'failed'
          : isDeadLetter(attempts, maxAttempts)
            ? 'dead'
            : 'pending';
    const delay = Math.max(
      // A receiver's Retry-After is honoured up to the longest backoff: it cannot park a warning for days.
      Math.min(attempt.retryAfterMs ?? 0, this.#options.maxBackoffMs),
      nextAttemptDelayMs(attempts, {
        baseMs: this.#options.baseBackoffMs,
        maxMs: this.#options.maxBackoffMs,
      }),
    );
    const ackWithinS = status === 'delivered' ? messages.ackWithinS(delivery) : null;
    const next = {
      status,
      nextAttemptAt: new Date(status === 'pending' ? this.#now() + delay : this.#now()),
      ackDueAt: ackWithinS === null ? null : new Date(this.#now() + ackWithinS * 1000),
    };
    return deliveries.map((d) => ({ delivery: d, attempt, next }));
  }

  /** Responders who have not acknowledged in time: the next contact of their escalation chain is told. */
  async escalate(nowMs = this.#now()): Promise<number> {
    const overdue = await overdueAcknowledgements(this.#db, nowMs);
    let escalated = 0;
    for (const d of overdue) {
      await this.#db.transaction().execute(async (tx) => {
        if (d.escalate_to !== null) {
          const next = await tx
            .selectFrom('subscription')
            .selectAll()
            .where('id', '=', d.escalate_to)
            .executeTakeFirst();
          if (next !== undefined && next.status === 'active') {
            const language = (
              await tx
                .selectFrom('delivery')
                .select('language')
                .where('id', '=', d.id)
                .executeTakeFirstOrThrow()
            ).language;
            escalated += await insertDeliveries(tx, [
              {
                id: `${deliveryIdOf(d.warning_id, next.id)}_e${d.escalation_level + 1}`,
                warningId: d.warning_id,
                subscriptionId: next.id,
                channel: next.channel,
                target: next.target,
                language,
                // due at once (`nowMs` may be a judged moment in the future, as in tests)
                nextAttemptAt: new Date(Math.min(nowMs, this.#now())),
                ackDueAt: null,
                escalationLevel: d.escalation_level + 1,
              },
            ]);
          }
        }
        await tx.updateTable('delivery').set({ escalated: true }).where('id', '=', d.id).execute();
      });
    }
    return escalated;
  }
}

/** What a round needs of each subscription it delivers to, read in one query. */
type RoundSubscription = Awaited<ReturnType<typeof subscriptionsOf>> extends Map<number, infer S> ? S : never;

async function subscriptionsOf(db: Kysely<Schema>, deliveries: readonly ClaimedDelivery[]) {
  const ids = [...new Set(deliveries.map((d) => d.subscription_id))];
  const rows =
    ids.length === 0
      ? []
      : await db
          .selectFrom('subscription')
          .select(['id', 'managed', 'unsubscribe_token', 'ack_within_s', 'webhook_secret'])
          .where('id', 'in', ids)
          .execute();
  return new Map(rows.map((r) => [r.id, r]));
}

/** Builds each warning's message once per round, then per delivery only what differs (language, links). */
class MessageBuilder {
  readonly #db: Kysely<Schema>;
  readonly #publicUrl: string;
  readonly #subscriptions: ReadonlyMap<number, RoundSubscription>;
  readonly #warnings = new Map<number, ReturnType<MessageBuilder['loadWarning']>>();

  constructor(db: Kysely<Schema>, publicUrl: string, subscriptions: ReadonlyMap<number, RoundSubscription>) {
    this.#db = db;
    this.#publicUrl = publicUrl;
    this.#subscriptions = subscriptions;
  }

  /** The version with its CAP read once (reading it cost ≈ 1 ms, per delivery before). */
  async loadWarning(id: number) {
    const w = await this.#db
      .selectFrom('warning as w')
      .innerJoin('warning_thread as t', 't.id', 'w.thread_id')
      .innerJoin('organisation as o', 'o.id', 'w.organisation_id')
      .select([
        'w.id',
        'w.thread_id',
        'w.identifier',
        'w.msg_type',
        'w.hazard',
        'w.severity',
        'w.urgency',
        'w.certainty',
        'w.content',
        'w.cap_xml',
        'w.sent_at',
        'w.expires_at',
        't.geometry',
        't.exposure',
        'o.name as organisation_name',
      ])
      .where('w.id', '=', id)
      .executeTakeFirstOrThrow();
    const parsed = parseCapXml(w.cap_xml ?? '');
    if (!('alert' in parsed)) throw new Error(`warning ${w.id} has no readable CAP`);
    return { ...w, cap: parsed.alert };
  }

  #subscriptionOf(delivery: ClaimedDelivery): RoundSubscription {
    const s = this.#subscriptions.get(delivery.subscription_id);
    if (s === undefined)
      throw new Error(`subscription ${delivery.subscription_id} was not read for this round`);
    return s;
  }

  ackWithinS(delivery: ClaimedDelivery): number | null {
    return this.#subscriptionOf(delivery).ack_within_s;
  }

  /** The digest of one subscriber's deliveries that share a digest time. */
  async digestOf(deliveries: readonly ClaimedDelivery[]): Promise<DigestMessage> {
    const first = deliveries[0];
    if (first?.digest_at === null || first === undefined) throw new Error('a digest needs digest deliveries');
    const items = digestItems(await Promise.all(deliveries.map((d) => this.of(d))));
    return {
      deliveryId: digestIdOf(
        first.subscription_id,
        first.digest_at.getTime(),
        Math.min(...deliveries.map((d) => d.warning_id)),
      ),
      digestAt: first.digest_at.toISOString(),
      language: first.language,
      items,
      unsubscribeUrl: items[0]?.unsubscribeUrl ?? null,
    };
  }

  async of(delivery: ClaimedDelivery): Promise<WarningMessage> {
    let pending = this.#warnings.get(delivery.warning_id);
    if (pending === undefined) {
      pending = this.loadWarning(delivery.warning_id);
      this.#warnings.set(delivery.warning_id, pending);
    }
    const w = await pending;
    const subscription = this.#subscriptionOf(delivery);
    const base = this.#publicUrl;
    return messageOfVersion(w, delivery.language, base, {
      deliveryId: delivery.id,
      unsubscribeUrl: subscription.managed
        ? null
        : `${base}/public/unsubscribe?token=${subscription.unsubscribe_token}`,
      acknowledgeUrl:
        subscription.ack_within_s === null
          ? null
          : `${base}/public/acknowledge?delivery=${delivery.id}&token=${acknowledgeToken(delivery.id, subscription.unsubscribe_token)}`,
    });
  }
}

/** A published version as the message channels and bulletins take, in one language (else the first written). */
export async function publishedMessage(
  db: Kysely<Schema>,
  publicUrl: string,
  identifier: string,
  language: string,
): Promise<WarningMessage | undefined> {
  const row = await db
    .selectFrom('warning')
    .select('id')
    .where('identifier', '=', identifier)
    .where('status', '=', 'published')
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const w = await new MessageBuilder(db, publicUrl, new Map()).loadWarning(row.id);
  return messageOfVersion(w, language, publicUrl, {
    deliveryId: identifier,
    unsubscribeUrl: null,
    acknowledgeUrl: null,
  });
}

function messageOfVersion(
  w: Awaited<ReturnType<MessageBuilder['loadWarning']>>,
  language: string,
  base: string,
  links: { deliveryId: string; unsubscribeUrl: string | null; acknowledgeUrl: string | null },
): WarningMessage {
  const texts = w.content.texts;
  const text = texts.find((t) => t.language === language) ?? texts[0];
  if (text === undefined) throw new Error(`warning ${w.id} has no texts`);
  const geocodes = (w.exposure as { geocodes?: { valueName: string; value: string }[] }).geocodes ?? [];
  const countries = [
    ...new Set(geocodes.map((g) => g.value.slice(0, 2).toUpperCase()).filter((c) => /^[A-Z]{2}$/.test(c))),
  ];
  return {
    deliveryId: links.deliveryId,
    warningId: w.id,
    threadId: w.thread_id,
    identifier: w.identifier,
    msgType: w.msg_type,
    sent: (w.sent_at ?? new Date()).toISOString(),
    expires: w.expires_at.toISOString(),
    hazard: w.hazard,
    severity: w.severity,
    urgency: w.urgency,
    certainty: w.certainty,
    language: text.language,
    event: text.event,
    headline: text.headline,
    description: text.description,
    instruction: text.instruction,
    areaDesc: w.content.areaDesc,
    geometry: w.geometry,
    countries,
    senderName: w.organisation_name,
    cap: w.cap,
    capUrl: `${base}/cap/${w.identifier}.xml`,
    jsonUrl: `${base}/cap/${w.identifier}.json`,
    webUrl: `${base}/warnings/${w.thread_id}`,
    unsubscribeUrl: links.unsubscribeUrl,
    acknowledgeUrl: links.acknowledgeUrl,
  };
}
