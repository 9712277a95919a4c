/**
 * @module Federation: CAP from other authorities, pushed to us or polled from their Atom/RSS feeds (fat or
 * thin), read safely (no DTD, no entities, size limits), validated against the schema and CAP's rules,
 * signature-checked when signed, and stored as theirs — shown beside our warnings, never re-issued as ours.
 */
import type { Kysely } from 'kysely';
import type { Schema } from '../../store/schema.ts';
import type { CapAlert } from '../cap/cap-alert.ts';
import { verifyCapSignature } from '../cap/cap-signature.ts';
import { type CapValidationError, validateCapXml } from '../cap/cap-validation.ts';
import { decodeXml, parseCapXml } from '../cap/cap-xml.ts';
import { readCapFeed } from './cap-feed-reader.ts';
import { type FeedValidators, type FetchOutcome, fetchConditionally } from './feed-fetch.ts';
import { nextPollHealth, type PollHealth } from './poll-health.ts';

/** One CAP document: real alerts run to tens of kilobytes; a megabyte is generous and bounds the work. */
export const MAX_CAP_BYTES = 1024 * 1024;

export type ImportOutcome =
  | {
      readonly status: 'imported' | 'duplicate';
      readonly id: number;
      readonly signature: 'valid' | 'unsigned' | 'unverified';
    }
  | { readonly status: 'rejected'; readonly errors: readonly CapValidationError[] };

export interface PollReport {
  readonly health: PollHealth['state'];
  readonly notModified: boolean;
  readonly entries: number;
  readonly imported: number;
  readonly duplicates: number;
  readonly withdrawn: number;
  /** Per entry (1-based position in the feed) or for the whole feed (position null). */
  readonly problems: readonly { readonly position: number | null; readonly reason: string }[];
}

export type Fetcher = (
  url: string,
  validators: FeedValidators | null,
  options: { maxBytes: number },
) => Promise<FetchOutcome>;

const LINK_FETCH_CONCURRENCY = 8;

/** How long a process holds a due source while it polls it: longer than any poll takes. */
const POLL_CLAIM_MS = 10 * 60_000;

/** A signature made with an algorithm we refuse (SHA-1) proves little today: kept, marked unverified, not refused. */
const WEAK_ALGORITHM = /^(signature method|digest|canonicalization) .* is not allowed/;

export class FederationService {
  readonly #db: Kysely<Schema>;
  readonly #fetch: Fetcher;
  readonly #clock: () => number;

  constructor(db: Kysely<Schema>, options: { fetcher?: Fetcher; clock?: () => number } = {}) {
    this.#db = db;
    this.#fetch = options.fetcher ?? ((url, validators, o) => fetchConditionally(url, validators, o));
    this.#clock = options.clock ?? Date.now;
  }

  async addSource(s: {
    organisationId: number;
    name: string;
    url: string | null;
    pollIntervalS: number;
  }): Promise<number> {
    const row = await this.#db
      .insertInto('cap_source')
      .values({
        organisation_id: s.organisationId,
        name: s.name,
        url: s.url,
        poll_interval_s: s.pollIntervalS,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** Reads, validates, checks the signature of, and stores one CAP document from a source. */
  async importDocument(
    sourceId: number,
    input: string | Uint8Array,
    feedEntry: string | null = null,
  ): Promise<ImportOutcome> {
    const size = typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength;
    if (size > MAX_CAP_BYTES) {
      return {
        status: 'rejected',
        errors: [{ reason: `the document is ${size} bytes; at most ${MAX_CAP_BYTES} are read` }],
      };
    }
    const validation = await validateCapXml(input);
    if (!validation.valid) return { status: 'rejected', errors: validation.errors };
    const xml = decodeXml(input);
    const parsed = parseCapXml(xml);
    if (!('alert' in parsed)) return { status: 'rejected', errors: parsed.problems };
    const alert = parsed.alert;
    const check = verifyCapSignature(xml);
    let signature: 'valid' | 'unsigned' | 'unverified';
    let note: string | null = null;
    if (check.status === 'invalid') {
      if (!WEAK_ALGORITHM.test(check.reason)) {
        return {
          status: 'rejected',
          errors: [{ pointer: '/alert/Signature', reason: `the signature does not verify: ${check.reason}` }],
        };
      }
      signature = 'unverified';
      note = check.reason;
    } else {
      signature = check.status;
      if (check.status === 'valid') note = `signed by ${check.signer}`;
    }
    const existing = await this.#db
      .selectFrom('imported_alert')
      .select(['id', 'signature'])
      .where('source_id', '=', sourceId)
      .where('sender', '=', alert.sender)
      .where('identifier', '=', alert.identifier)
      .where('sent', '=', alert.sent)
      .executeTakeFirst();
    if (existing !== undefined) {
      // The same alert again; if it now comes signed and verified, the signed copy replaces the unsigned one.
      if (signature === 'valid' && existing.signature !== 'valid') {
        await this.#db
          .updateTable('imported_alert')
          .set({ cap_xml: xml, signature, signature_note: note })
          .where('id', '=', existing.id)
          .execute();
      }
      return {
        status: 'duplicate',
        id: existing.id,
        signature: signature === 'valid' ? 'valid' : existing.signature,
      };
    }
    const row = await this.#db
      .insertInto('imported_alert')
      .values({
        source_id: sourceId,
        sender: alert.sender,
        identifier: alert.identifier,
        sent: alert.sent,
        msg_type: alert.msgType,
        status: alert.status,
        alert: JSON.stringify(alert),
        cap_xml: xml,
        signature,
        signature_note: note,
        feed_entry: feedEntry,
        expires_at: expiresOf(alert),
        withdrawn_at: null,
      })
      .onConflict((oc) => oc.columns(['source_id', 'sender', 'identifier', 'sent']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (row === undefined) return this.importDocument(sourceId, input, feedEntry); // a concurrent import won
    return { status: 'imported', id: row.id, signature };
  }

  /**
   * Polls every source whose time has come and that no other process has claimed. Claiming moves the source's
   * next poll `POLL_CLAIM_MS` on in one statement (a concurrent claim waits on the row, then finds it no longer
   * due); the poll then sets the real next time. A process that dies mid-poll leaves the source to be polled
   * again once the claim runs out.
   */
  async pollDue(nowMs = this.#clock()): Promise<void> {
    const claimed = await this.#db
      .updateTable('cap_source')
      .set({ next_poll_at: new Date(nowMs + POLL_CLAIM_MS) })
      .where('url', 'is not', null)
      .where('next_poll_at', '<=', new Date(nowMs))
      .returning('id')
      .execute();
    for (const { id } of claimed) await this.poll(id, nowMs);
  }

  /**
   * One poll: a conditional GET of the feed; each entry's embedded CAP imported, or its linked CAP fetched
   * (entries already known are not fetched again); alerts that left the feed before expiring marked
   * withdrawn; the source's health and next poll time updated (backoff on failure).
   */
  async poll(sourceId: number, nowMs = this.#clock()): Promise<PollReport> {
    const source = await this.#db
      .selectFrom('cap_source')
      .selectAll()
      .where('id', '=', sourceId)
      .executeTakeFirstOrThrow();
    if (source.url === null) throw new Error(`source ${sourceId} has no feed to poll`);
    const previous: PollHealth = {
      state: source.health,
      consecutiveFailures: source.consecutive_failures,
      lastError: source.last_error,
      nextPollAtMs: source.next_poll_at.getTime(),
    };
    const fetched = await this.#fetch(
      source.url,
      { etag: source.etag, lastModified: source.last_modified },
      { maxBytes: 5 * 1024 * 1024 },
    );
    const empty = { entries: 0, imported: 0, duplicates: 0, withdrawn: 0 };
    if (fetched.status === 'failed') {
      await this.#saveHealth(
        source.id,
        nextPollHealth(previous, 'failed', nowMs, source.poll_interval_s * 1000, fetched.reason),
        nowMs,
      );
      return {
        health: 'failing',
        notModified: false,
        ...empty,
        problems: [{ position: null, reason: fetched.reason }],
      };
    }
    if (fetched.status === 'not_modified') {
      await this.#saveHealth(
        source.id,
        nextPollHealth(previous, 'ok', nowMs, source.poll_interval_s * 1000, null),
        nowMs,
      );
      return { health: 'ok', notModified: true, ...empty, problems: [] };
    }
    const feed = readCapFeed(fetched.body, { baseUrl: source.url });
    if (!('format' in feed)) {
      const reason = feed.problems.map((p) => p.reason).join('; ');
      await this.#saveHealth(
        source.id,
        nextPollHealth(previous, 'failed', nowMs, source.poll_interval_s * 1000, reason),
        nowMs,
      );
      return {
        health: 'failing',
        notModified: false,
        ...empty,
        problems: feed.problems.map((p) => ({ position: p.position, reason: p.reason })),
      };
    }
    const problems: { position: number | null; reason: string }[] = feed.problems.map((p) => ({
      position: p.position,
      reason: p.reason,
    }));
    const known = new Set(
      (
        await this.#db
          .selectFrom('imported_alert')
          .select('feed_entry')
          .where('source_id', '=', source.id)
          .where('feed_entry', 'is not', null)
          .execute()
      ).map((r) => r.feed_entry),
    );
    let imported = 0;
    let duplicates = 0;
    const present: string[] = [];
    // Linked CAP is fetched a few at a time: a feed of 150 thin entries is not read one by one.
    const unreachable = new Map<string, string>();
    const documents = await mapConcurrently(feed.entries, LINK_FETCH_CONCURRENCY, async (entry) => {
      const key = entry.id ?? entry.capUrl ?? `position ${entry.position}`;
      if (entry.capXml !== null) return { entry, key, document: entry.capXml as string | Uint8Array };
      if (entry.capUrl === null) return { entry, key, document: null }; // the reader reported it already
      if (known.has(key)) return { entry, key, document: 'known' as const };
      const host = new URL(entry.capUrl).host;
      const down = unreachable.get(host);
      if (down !== undefined)
        return { entry, key, document: null, problem: `fetching ${entry.capUrl} skipped: ${down}` };
      const linked = await this.#fetch(entry.capUrl, null, { maxBytes: MAX_CAP_BYTES });
      if (linked.status === 'fetched') return { entry, key, document: linked.body };
      const reason = linked.status === 'failed' ? linked.reason : 'not modified';
      // A host that does not answer at all is not asked again for every other entry of this poll.
      if (linked.status === 'failed' && linked.httpStatus === null)
        unreachable.set(host, `${host} did not answer (${reason})`);
      return { entry, key, document: null, problem: `fetching ${entry.capUrl} failed: ${reason}` };
    });
    for (const { entry, key, document, problem } of documents) {
      present.push(key);
      if (problem !== undefined) problems.push({ position: entry.position, reason: problem });
      if (document === 'known') duplicates += 1;
      if (document === null || document === 'known') continue;
      const outcome = await this.importDocument(source.id, document, key);
      if (outcome.status === 'rejected') {
        problems.push({ position: entry.position, reason: outcome.errors.map(describeError).join('; ') });
      } else if (outcome.status === 'duplicate') duplicates += 1;
      else imported += 1;
    }
    const withdrawn = await this.#markWithdrawn(source.id, present, nowMs);
    await this.#db
      .updateTable('cap_source')
      .set({ etag: fetched.validators.etag, last_modified: fetched.validators.lastModified })
      .where('id', '=', source.id)
      .execute();
    await this.#saveHealth(
      source.id,
      nextPollHealth(previous, 'ok', nowMs, source.poll_interval_s * 1000, null),
      nowMs,
    );
    return {
      health: 'ok',
      notModified: false,
      entries: feed.entries.length,
      imported,
      duplicates,
      withdrawn,
      problems,
    };
  }

  /** Alerts from this feed that are no longer in it although they have not expired: the sender withdrew them. */
  async #markWithdrawn(sourceId: number, present: readonly string[], nowMs: number): Promise<number> {
    let query = this.#db
      .updateTable('imported_alert')
      .set({ withdrawn_at: new Date(nowMs) })
      .where('source_id', '=', sourceId)
      .where('withdrawn_at', 'is', null)
      .where('feed_entry', 'is not', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', new Date(nowMs))]));
    if (present.length > 0) query = query.where('feed_entry', 'not in', [...present]);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async #saveHealth(sourceId: number, health: PollHealth, nowMs: number): Promise<void> {
    await this.#db
      .updateTable('cap_source')
      .set({
        health: health.state,
        consecutive_failures: health.consecutiveFailures,
        last_error: health.lastError,
        last_polled_at: new Date(nowMs),
        next_poll_at: new Date(health.nextPollAtMs),
      })
      .where('id', '=', sourceId)
      .execute();
  }
}

function expiresOf(alert: CapAlert): Date | null {
  const times = alert.info
    .flatMap((i) => (i.expires === undefined ? [] : [Date.parse(i.expires)]))
    .filter(Number.isFinite);
  return times.length === 0 ? null : new Date(Math.max(...times));
}

function describeError(e: CapValidationError): string {
  const where = e.line !== undefined ? `line ${e.line}: ` : e.pointer !== undefined ? `${e.pointer}: ` : '';
  return `${where}${e.reason}`;
}

/** Runs `work` over the items, at most `limit` at a time, keeping the items' order in the result. */
async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
