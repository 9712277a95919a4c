/** @module Warning reads for the API and the feeds: thread listings, published versions, verified episodes. */
import type { Kysely } from 'kysely';
import type { VerifiedEpisode } from '../warn/verification.ts';
import type { Schema } from './schema.ts';

const inOrgs = (readable: readonly number[]) => (readable.length > 0 ? [...readable] : [-1]);

export async function listThreads(
  db: Kysely<Schema>,
  f: {
    readable: readonly number[];
    status?: 'open' | 'closed' | undefined;
    hazard?: string | undefined;
    awaitingReview?: boolean | undefined;
    after?: number | undefined;
    limit: number;
  },
) {
  let query = db
    .selectFrom('warning_thread as t')
    .selectAll('t')
    .where('t.organisation_id', 'in', inOrgs(f.readable));
  if (f.status !== undefined) query = query.where('t.status', '=', f.status);
  if (f.hazard !== undefined) query = query.where('t.hazard', '=', f.hazard);
  if (f.after !== undefined) query = query.where('t.id', '<', f.after);
  if (f.awaitingReview) {
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('warning as w')
          .select('w.id')
          .whereRef('w.thread_id', '=', 't.id')
          .where('w.status', '=', 'draft'),
      ),
    );
  }
  const threads = await query.orderBy('t.id', 'desc').limit(f.limit).execute();
  if (threads.length === 0) return [];
  const versions = await db
    .selectFrom('warning')
    .selectAll()
    .where(
      'thread_id',
      'in',
      threads.map((t) => t.id),
    )
    .orderBy('version')
    .execute();
  return threads.map((t) => {
    const own = versions.filter((v) => v.thread_id === t.id);
    const current = own.filter((v) => v.status === 'published').at(-1);
    const pending = own.find(
      (v) => v.status === 'draft' || v.status === 'inhibited' || v.status === 'silenced',
    );
    const summary = (v: (typeof own)[number] | undefined) =>
      v === undefined
        ? null
        : {
            version: v.version,
            identifier: v.identifier,
            status: v.status,
            msg_type: v.msg_type,
            severity: v.severity,
            urgency: v.urgency,
            certainty: v.certainty,
            headline:
              v.content.texts.find((x) => x.language === 'en')?.headline ??
              v.content.texts[0]?.headline ??
              null,
            sent: v.sent_at?.toISOString() ?? null,
            expires: v.expires_at.toISOString(),
          };
    return {
      id: t.id,
      hazard: t.hazard,
      status: t.status,
      closed_reason: t.closed_reason,
      area_desc: t.area_desc,
      bbox: [t.min_lon, t.min_lat, t.max_lon, t.max_lat],
      population: t.exposure.population,
      signals: t.state.signalCount,
      first_signal_at: t.first_signal_at.toISOString(),
      last_signal_at: t.last_signal_at.toISOString(),
      verification: t.verification,
      current: summary(current),
      pending: summary(pending),
    };
  });
}

export async function listVerifiedEpisodes(
  db: Kysely<Schema>,
  f: {
    readable: readonly number[];
    fromMs: number;
    toMs: number;
    hazard?: string | undefined;
    ruleId?: number | undefined;
  },
): Promise<VerifiedEpisode[]> {
  let query = db
    .selectFrom('warning_thread')
    .select(['rule_id', 'hazard', 'verification', 'lead_time_s'])
    .where('organisation_id', 'in', inOrgs(f.readable))
    .where('verification', 'is not', null)
    .where('first_signal_at', '>=', new Date(f.fromMs))
    .where('first_signal_at', '<', new Date(f.toMs));
  if (f.hazard !== undefined) query = query.where('hazard', '=', f.hazard);
  if (f.ruleId !== undefined) query = query.where('rule_id', '=', f.ruleId);
  const rows = await query.execute();
  return rows.map((r) => ({
    ruleId: r.rule_id,
    hazard: r.hazard,
    outcome: r.verification as VerifiedEpisode['outcome'],
    leadTimeS: r.lead_time_s,
  }));
}

export function publishedByIdentifier(db: Kysely<Schema>, identifier: string) {
  return db
    .selectFrom('warning')
    .select(['id', 'cap_xml', 'etag', 'sent_at', 'thread_id'])
    .where('identifier', '=', identifier)
    .where('status', '=', 'published')
    .executeTakeFirst();
}

/**
 * What the public feed lists: the latest published version of every thread that still stands (not
 * expired, not cancelled), and the cancels of the last day, so that readers learn a warning has ended.
 */
export function feedVersions(
  db: Kysely<Schema>,
  f: { nowMs: number; hazard?: string | undefined; organisationId?: number | undefined },
) {
  const now = new Date(f.nowMs);
  let query = db
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
      'w.sent_at',
      'w.expires_at',
      'o.name as organisation_name',
      't.min_lon',
      't.min_lat',
      't.max_lon',
      't.max_lat',
      't.geometry',
    ])
    .where('w.status', '=', 'published')
    .where((eb) =>
      eb.or([
        eb.and([eb('w.msg_type', '!=', 'Cancel'), eb('w.expires_at', '>', now)]),
        eb.and([eb('w.msg_type', '=', 'Cancel'), eb('w.sent_at', '>', new Date(f.nowMs - 86_400_000))]),
      ]),
    )
    // Only the newest published version of each thread.
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('warning as later')
            .select('later.id')
            .whereRef('later.thread_id', '=', 'w.thread_id')
            .where('later.status', '=', 'published')
            .whereRef('later.version', '>', 'w.version'),
        ),
      ),
    );
  if (f.hazard !== undefined) query = query.where('w.hazard', '=', f.hazard);
  if (f.organisationId !== undefined) query = query.where('w.organisation_id', '=', f.organisationId);
  return query.orderBy('w.sent_at', 'desc').limit(500).execute();
}
