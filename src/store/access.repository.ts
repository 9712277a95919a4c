/** @module API keys and users: the caller of a request, keys shown once and stored hashed, and the bootstrap admin key. */
import { type Kysely, sql } from 'kysely';
import { type Caller, displayPrefix, generateApiKey, hashApiKey, type Role } from '../registry/access.ts';
import type { Scope } from '../registry/scopes.ts';
import type { Schema } from './schema.ts';

/** The caller a key stands for, with every organisation below its own; undefined for unknown or revoked keys. */
export async function callerOfKey(db: Kysely<Schema>, key: string): Promise<Caller | undefined> {
  const result = await sql<{
    id: number;
    organisation_id: number;
    role: Role;
    scopes: Scope[] | null;
    readable: number[];
  }>`
    with recursive k as (
      select id, organisation_id, role, scopes from api_key
      where secret_hash = ${hashApiKey(key)} and revoked_at is null
    ), below(id) as (
      select organisation_id from k
      union all
      select o.id from organisation o join below b on o.parent_id = b.id
    )
    select k.id, k.organisation_id, k.role, k.scopes, array(select id from below) as readable from k`.execute(
    db,
  );
  const row = result.rows[0];
  if (row === undefined) return undefined;
  return {
    keyId: row.id,
    organisationId: row.organisation_id,
    role: row.role,
    ...(row.scopes === null ? {} : { scopes: row.scopes }),
    readableOrganisationIds: row.readable.map(Number),
  };
}

/** Records that a key was used, at most once a minute per key, so that reads do not each cost a write. */
export class KeyUsage {
  readonly #lastWritten = new Map<number, number>();

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly now: () => number = Date.now,
  ) {}

  async touch(keyId: number): Promise<void> {
    const now = this.now();
    if (now - (this.#lastWritten.get(keyId) ?? 0) < 60_000) return;
    this.#lastWritten.set(keyId, now);
    await this.db
      .updateTable('api_key')
      .set({ last_used_at: new Date(now) })
      .where('id', '=', keyId)
      .execute();
  }
}

export interface CreatedKey {
  readonly id: number;
  readonly key: string;
  readonly prefix: string;
  readonly organisationId: number;
  readonly role: Role;
  readonly name: string;
  /** undefined: all the role allows. */
  readonly scopes?: readonly Scope[];
}

export async function createApiKey(
  db: Kysely<Schema>,
  organisationId: number,
  role: Role,
  name: string,
  scopes?: readonly Scope[],
): Promise<CreatedKey> {
  const generated = generateApiKey();
  const row = await db
    .insertInto('api_key')
    .values({
      organisation_id: organisationId,
      role,
      name,
      prefix: generated.prefix,
      secret_hash: generated.secretHash,
      scopes: scopes === undefined ? null : [...scopes],
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return {
    id: row.id,
    key: generated.key,
    prefix: generated.prefix,
    organisationId,
    role,
    name,
    ...(scopes === undefined ? {} : { scopes }),
  };
}

const BOOTSTRAP_KEY_NAME = 'bootstrap admin (EW4E_ADMIN_KEY)';

/** Installs the operator's bootstrap key as an admin key of the global organisation, replacing an earlier one. */
export async function installBootstrapKey(
  db: Kysely<Schema>,
  globalOrganisationId: number,
  key: string,
): Promise<void> {
  const secretHash = hashApiKey(key);
  await db.transaction().execute(async (tx) => {
    await tx
      .updateTable('api_key')
      .set({ revoked_at: new Date() })
      .where('name', '=', BOOTSTRAP_KEY_NAME)
      .where('secret_hash', '!=', secretHash)
      .where('revoked_at', 'is', null)
      .execute();
    await tx
      .insertInto('api_key')
      .values({
        organisation_id: globalOrganisationId,
        role: 'admin',
        name: BOOTSTRAP_KEY_NAME,
        prefix: displayPrefix(key),
        secret_hash: secretHash,
      })
      .onConflict((oc) => oc.column('secret_hash').doUpdateSet({ revoked_at: null, role: 'admin' }))
      .execute();
  });
}
