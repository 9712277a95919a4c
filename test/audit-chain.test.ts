/**
 * The audit log's hash chain, written by the database at insert and walked by `ew4e audit verify`: warning and
 * security entries in one chain, no fork under concurrent writers, a changed or removed row named, a restore
 * with triggers off keeping every hash, rows written before migration 0009 chained by it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Kysely, type Migration, Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../src/cli/audit-command.ts';
import { appendSecurityEvent } from '../src/store/audit.repository.ts';
import { type Database, openDatabase } from '../src/store/database.ts';
import { MIGRATION_NAMES, migrateToLatest } from '../src/store/migrate.ts';
import * as m1 from '../src/store/migrations/0001-backbone.ts';
import * as m2 from '../src/store/migrations/0002-detection.ts';
import * as m3 from '../src/store/migrations/0003-warnings.ts';
import * as m4 from '../src/store/migrations/0004-dissemination.ts';
import * as m5 from '../src/store/migrations/0005-digests.ts';
import * as m6 from '../src/store/migrations/0006-response.ts';
import * as m7 from '../src/store/migrations/0007-protected-areas.ts';
import * as m8 from '../src/store/migrations/0008-species-soil.ts';
import type { Schema } from '../src/store/schema.ts';
import { runEw4e } from './support/cli-run.ts';
import { adminQuery, BACKENDS, freshDatabase, postgresUrlFor } from './support/test-database.ts';
import { registerFixture, startTestPlatform, type TestPlatform } from './support/test-platform.ts';

const PASSWORD = 'correct horse battery staple';

/** As a superuser would, past the append-only trigger: what the chain exists to reveal. */
async function tamper(db: Kysely<Schema>, statement: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await sql`alter table warning_audit disable trigger warning_audit_append_only`.execute(tx);
    await sql.raw(statement).execute(tx);
    await sql`alter table warning_audit enable trigger warning_audit_append_only`.execute(tx);
  });
}

describe.each(BACKENDS)('the hash-chained audit log on %s', (backend) => {
  let t: TestPlatform;
  let db: Kysely<Schema>;

  beforeAll(async () => {
    t = await startTestPlatform(backend);
    db = t.platform.services.database.db;
  }, 60_000);
  afterAll(async () => t?.close());

  it('chains warning and security entries as they are written; the walk agrees with every hash', async () => {
    const f = await registerFixture(t, 'bd', 'BD');
    const created = await t.request('POST', '/v1/keys', {
      body: { name: 'gateway', role: 'analyst', organisation_id: f.orgId, scopes: ['observations:write'] },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect((await t.request('DELETE', `/v1/keys/${created.json().id}`)).statusCode).toBe(204);
    const user = await t.request('POST', '/v1/users', {
      body: {
        email: 'duty@example.org',
        name: 'Duty Officer',
        role: 'approver',
        organisation_id: f.orgId,
        password: PASSWORD,
      },
    });
    expect(user.statusCode, user.body).toBe(201);
    for (const password of ['not the password', PASSWORD]) {
      await t.request('POST', '/auth/login', { key: null, body: { email: 'duty@example.org', password } });
    }
    const silence = await t.request('POST', '/v1/silences', {
      body: {
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [90, 23],
              [91, 23],
              [91, 24],
              [90, 24],
              [90, 23],
            ],
          ],
        },
        ends_at: new Date(Date.now() + 3_600_000).toISOString(),
        reason: 'calibration',
      },
    });
    expect(silence.statusCode, silence.body).toBe(201);

    const rows = await db
      .selectFrom('warning_audit')
      .select(['action', 'actor', 'changes', 'chain_seq'])
      .orderBy('chain_seq')
      .execute();
    expect(rows.map((r) => r.action)).toEqual(
      expect.arrayContaining([
        'api_key_created',
        'api_key_revoked',
        'sign_in_failed',
        'signed_in',
        'silence_created',
      ]),
    );
    // the key's making names it by prefix, never the key
    const made = rows.find((r) => r.action === 'api_key_created' && r.changes.name === 'gateway');
    expect(made?.changes).toMatchObject({
      role: 'analyst',
      scopes: ['observations:write'],
      prefix: created.json().prefix,
    });
    expect(JSON.stringify(rows)).not.toContain(created.json().key);
    expect(JSON.stringify(rows)).not.toContain(PASSWORD);
    expect(rows.map((r) => r.chain_seq)).toEqual(rows.map((_, i) => i + 1));

    const verified = await verifyAuditLog(t.platform.services.database);
    expect(verified.broken).toBeUndefined();
    expect(verified.checked).toBe(rows.length);
  });

  it('never forks under concurrent writers: each entry takes the next place', async () => {
    const before = (await verifyAuditLog(t.platform.services.database)).checked;
    const global = t.platform.services.globalOrganisationId;
    await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        db
          .transaction()
          .execute((tx) =>
            appendSecurityEvent(tx, { organisationId: global, actor: `writer ${i}`, action: 'signed_in' }),
          ),
      ),
    );
    const verified = await verifyAuditLog(t.platform.services.database);
    expect(verified).toMatchObject({ checked: before + 24 });
    expect(verified.broken).toBeUndefined();
  });

  it('names a changed row, then the row after a removed one; a restore with triggers off keeps every hash', async () => {
    const victim = await db
      .selectFrom('warning_audit')
      .selectAll()
      .where('action', '=', 'api_key_revoked')
      .executeTakeFirstOrThrow();
    await tamper(db, `update warning_audit set actor = 'nobody' where id = ${victim.id}`);
    const changed = await verifyAuditLog(t.platform.services.database);
    expect(changed.broken).toMatchObject({ id: victim.id, chainSeq: victim.chain_seq, reason: 'hash' });
    expect(changed.checked).toBe(victim.chain_seq - 1);

    await tamper(db, `update warning_audit set actor = '${victim.actor}' where id = ${victim.id}`);
    expect((await verifyAuditLog(t.platform.services.database)).broken).toBeUndefined();

    // kept as stored, to be restored below
    await sql`create table audit_saved as select * from warning_audit where id = ${sql.lit(victim.id)}`.execute(
      db,
    );
    await tamper(db, `delete from warning_audit where id = ${victim.id}`);
    const next = await db
      .selectFrom('warning_audit')
      .select('id')
      .where('chain_seq', '=', victim.chain_seq + 1)
      .executeTakeFirstOrThrow();
    expect((await verifyAuditLog(t.platform.services.database)).broken).toMatchObject({
      id: next.id,
      reason: 'sequence',
    });

    // What a restore does (`ew4e restore`): rows copied back as they were stored, with triggers off.
    await db.transaction().execute(async (tx) => {
      await sql`set local session_replication_role = replica`.execute(tx);
      await sql`insert into warning_audit overriding system value select * from audit_saved`.execute(tx);
      await sql`drop table audit_saved`.execute(tx);
    });
    expect((await verifyAuditLog(t.platform.services.database)).broken).toBeUndefined();
  });
});

const BEFORE_0009: Record<string, Migration> = {
  '0001-backbone': m1,
  '0002-detection': m2,
  '0003-warnings': m3,
  '0004-dissemination': m4,
  '0005-digests': m5,
  '0006-response': m6,
  '0007-protected-areas': m7,
  '0008-species-soil': m8,
};

/** An empty database of `backend`, for a migration test that starts from nothing. */
async function emptyDatabase(
  backend: 'pglite' | 'postgres',
): Promise<{ database: Database; dispose(): Promise<void> }> {
  if (backend === 'pglite') {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'ew4e-audit-'));
    const database = await openDatabase({ dataDir });
    return {
      database,
      dispose: async () => {
        await database.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  }
  const name = `ew4e_audit_${process.pid}_${Date.now()}`;
  await adminQuery(`create database ${name}`);
  const database = await openDatabase({ databaseUrl: postgresUrlFor(name) });
  return {
    database,
    dispose: async () => {
      await database.close();
      await adminQuery(`drop database if exists ${name} with (force)`);
    },
  };
}

/**
 * Starting from an empty database and spawning the CLI take seconds each, so these run on one backend (the
 * server when it is under test); the trigger and the walk are tested on every backend above, and the template
 * of every test run is migrated through 0009 on each.
 */
const ONE_BACKEND = BACKENDS.includes('postgres') ? ['postgres' as const] : BACKENDS.slice(0, 1);

describe.each(ONE_BACKEND)('migration 0009 and `ew4e audit verify` on %s', (backend) => {
  it('chains the rows written before it, in the order they were written', async () => {
    const empty = await emptyDatabase(backend);
    try {
      const db = empty.database.db;
      const migrated = await new Migrator({
        db,
        provider: { getMigrations: async () => BEFORE_0009 },
      }).migrateToLatest();
      expect(migrated.error).toBeUndefined();
      const org = await db
        .insertInto('organisation')
        .values({ kind: 'global', code: 'global', name: 'World', parent_id: null, iso_code: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      for (const action of ['thread_opened', 'drafted', 'published']) {
        await sql`insert into warning_audit (organisation_id, actor, action, changes)
          values (${org.id}, 'rule 1', ${action}, '{"why": "a test"}')`.execute(db);
      }
      expect(await migrateToLatest(empty.database)).toEqual(
        MIGRATION_NAMES.slice(MIGRATION_NAMES.indexOf('0009-hardening')),
      );
      const rows = await db
        .selectFrom('warning_audit')
        .select(['action', 'chain_seq'])
        .orderBy('id')
        .execute();
      expect(rows).toEqual([
        { action: 'thread_opened', chain_seq: 1 },
        { action: 'drafted', chain_seq: 2 },
        { action: 'published', chain_seq: 3 },
      ]);
      expect(await verifyAuditLog(empty.database)).toMatchObject({ checked: 3 });
      // and the trigger carries the chain on from there
      await appendSecurityEvent(db, { organisationId: org.id, actor: 'admin', action: 'signing_key_set' });
      const after = await verifyAuditLog(empty.database);
      expect(after).toMatchObject({ checked: 4 });
      expect(after.broken).toBeUndefined();
    } finally {
      await empty.dispose();
    }
  }, 60_000);

  it('exits 0 with the count when the chain holds, 1 naming the first broken row', async () => {
    const test = await freshDatabase(backend);
    try {
      const global = await test.database.db
        .selectFrom('organisation')
        .select('id')
        .where('kind', '=', 'global')
        .executeTakeFirstOrThrow();
      for (const actor of ['a', 'b', 'c']) {
        await appendSecurityEvent(test.database.db, {
          organisationId: global.id,
          actor,
          action: 'signed_in',
        });
      }
      const second = await test.database.db
        .selectFrom('warning_audit')
        .select('id')
        .where('actor', '=', 'b')
        .executeTakeFirstOrThrow();
      // one PGlite folder takes one process at a time
      if (backend === 'pglite') await test.database.close();
      const ok = await runEw4e(['audit', 'verify'], test.location);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toMatch(/^OK: 3 row\(s\), head [0-9a-f]{64}$/m);

      const database = backend === 'pglite' ? await openDatabase(test.location) : test.database;
      await tamper(
        database.db,
        `update warning_audit set changes = '{"ip": "10.0.0.1"}' where id = ${second.id}`,
      );
      if (backend === 'pglite') await database.close();
      const broken = await runEw4e(['audit', 'verify'], test.location);
      expect(broken.code).toBe(1);
      expect(broken.stderr).toContain(`BROKEN at audit row id ${second.id} (place 2 in the chain): hash`);
    } finally {
      await test.dispose();
    }
  }, 60_000);
});
