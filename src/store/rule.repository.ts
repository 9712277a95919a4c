/** @module Versioned rules: an edit is a new version, so that every signal names the exact rule that raised it. */
import { type Kysely, sql } from 'kysely';
import type { Schema } from './schema.ts';

export interface RuleVersion {
  readonly name: string;
  readonly definition: Record<string, unknown>;
  readonly enabled: boolean;
}

export async function createRule(
  db: Kysely<Schema>,
  organisationId: number,
  keyId: number | null,
  rule: RuleVersion,
) {
  const { id } = (await sql<{ id: number }>`select nextval('rule_id_seq')::int4 as id`.execute(db)).rows[0]!;
  return db
    .insertInto('rule')
    .values({
      id,
      version: 1,
      organisation_id: organisationId,
      name: rule.name,
      definition: JSON.stringify(rule.definition),
      enabled: rule.enabled,
      created_by_key: keyId,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Adds the next version of a rule the caller may read; undefined if there is none. */
export async function reviseRule(
  db: Kysely<Schema>,
  id: number,
  readable: readonly number[],
  keyId: number | null,
  change: (latest: RuleVersion) => RuleVersion,
) {
  return db.transaction().execute(async (tx) => {
    const latest = await tx
      .selectFrom('rule')
      .selectAll()
      .where('id', '=', id)
      .where('organisation_id', 'in', [...readable])
      .orderBy('version', 'desc')
      .limit(1)
      .forUpdate()
      .executeTakeFirst();
    if (!latest) return undefined;
    const next = change({ name: latest.name, definition: latest.definition, enabled: latest.enabled });
    return tx
      .insertInto('rule')
      .values({
        id,
        version: latest.version + 1,
        organisation_id: latest.organisation_id,
        name: next.name,
        definition: JSON.stringify(next.definition),
        enabled: next.enabled,
        created_by_key: keyId,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

/** The latest version of every rule the caller may read. */
export function latestRules(db: Kysely<Schema>, readable: readonly number[]) {
  return db
    .selectFrom('rule as r')
    .selectAll('r')
    .where('r.organisation_id', 'in', [...readable])
    .where(({ eb, selectFrom }) =>
      eb(
        'r.version',
        '=',
        selectFrom('rule as v')
          .select((v) => v.fn.max('v.version').as('m'))
          .whereRef('v.id', '=', 'r.id'),
      ),
    )
    .orderBy('r.id')
    .execute();
}

/** Every version of one rule, newest first. */
export function ruleVersions(db: Kysely<Schema>, id: number, readable: readonly number[]) {
  return db
    .selectFrom('rule')
    .selectAll()
    .where('id', '=', id)
    .where('organisation_id', 'in', [...readable])
    .orderBy('version', 'desc')
    .execute();
}
