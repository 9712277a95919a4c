/**
 * Backup and restore on every backend: a platform with data in every kind of table → backup → restore into an
 * empty database → the same rows, sequences, partitions and audit chain; across backends and back; refusals
 * (corrupt, truncated, newer, not empty) that leave the target as it was; and the real `ew4e` command.
 */
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../src/registry/audit-chain.ts';
import { auditChain } from '../src/store/audit.repository.ts';
import { writeBackup } from '../src/store/backup/backup.ts';
import {
  BACKUP_MAGIC,
  encodeFrame,
  type Frame,
  FrameReader,
  TableDigest,
} from '../src/store/backup/backup-format.ts';
import type { BackupManifest } from '../src/store/backup/backup-manifest.ts';
import { readCatalog } from '../src/store/backup/catalog.ts';
import { restoreBackup } from '../src/store/backup/restore.ts';
import { type Backend, type Database, openDatabase } from '../src/store/database.ts';
import { MIGRATION_NAMES } from '../src/store/migrate.ts';
import { runEw4e } from './support/cli-run.ts';
import {
  adminQuery,
  BACKENDS,
  postgresUrlFor,
  TEST_DATA_DIR,
  type TestDatabase,
} from './support/test-database.ts';
import {
  type Fixture,
  publishSevereWarning,
  registerFixture,
  startTestPlatform,
  type TestPlatform,
} from './support/test-platform.ts';

const DHAKA = { lon: 90.3795, lat: 23.7781 };

/** One empty PGlite folder made per test file (initdb is slow) and copied for each empty database. */
let emptyPgliteFolder: Promise<string> | undefined;

/** A database with nothing in it, not even the schema: what restore wants. */
async function emptyDatabase(backend: Backend): Promise<TestDatabase> {
  const name = `e_${randomBytes(6).toString('hex')}`;
  if (backend === 'pglite') {
    emptyPgliteFolder ??= (async () => {
      const folder = path.join(TEST_DATA_DIR, `empty_${randomBytes(6).toString('hex')}`);
      await (await openDatabase({ dataDir: folder })).close();
      return folder;
    })();
    const dataDir = path.join(TEST_DATA_DIR, name);
    await cp(await emptyPgliteFolder, dataDir, { recursive: true });
    const database = await openDatabase({ dataDir });
    return {
      database,
      location: { dataDir },
      dispose: async () => {
        await database.close().catch(() => undefined);
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  }
  const dbName = `ew4e_${name}`;
  await adminQuery(`create database ${dbName}`);
  const databaseUrl = postgresUrlFor(dbName);
  const database = await openDatabase({ databaseUrl });
  return {
    database,
    location: { databaseUrl },
    dispose: async () => {
      await database.close().catch(() => undefined);
      await adminQuery(`drop database if exists ${dbName} with (force)`);
    },
  };
}

/** Every table's rows (as JSON, sorted), every sequence's state and every partition: what "the same database" means here. */
async function contentsOf(database: Database) {
  const catalog = await readCatalog(database.db);
  const tables: Record<string, string[]> = {};
  for (const table of catalog.tables) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table.name)}`.execute(
      database.db,
    );
    tables[table.name] = rows.map((r) => JSON.stringify(r)).sort();
  }
  const sequences: Record<string, unknown> = {};
  for (const s of catalog.sequences) {
    const { rows } = await sql`select last_value, is_called from ${sql.table(s.name)}`.execute(database.db);
    sequences[s.name] = rows[0];
  }
  const partitions = catalog.tables.flatMap((t) => (t.partitions ?? []).map((p) => `${p.name} ${p.bound}`));
  return { tables, sequences, partitions };
}

async function publicRelationCount(database: Database): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public'`.execute(database.db);
  return rows[0]!.n;
}

/** The frames of a backup file, to write altered copies of it. */
async function framesOf(file: string): Promise<Frame[]> {
  const reader = new FrameReader();
  const frames = reader.push(gunzipSync(await readFile(file)));
  reader.end();
  return frames;
}

async function writeFrames(file: string, frames: readonly Frame[]): Promise<void> {
  await writeFile(file, gzipSync(Buffer.concat([BACKUP_MAGIC, ...frames.map(encodeFrame)])));
}

/** A copy of the backup whose manifest is changed by `change` (checksums of edited rows recomputed by the caller). */
function withManifest(frames: readonly Frame[], change: (m: BackupManifest) => BackupManifest): Frame[] {
  return frames.map((f) =>
    f.kind === 'manifest' ? { kind: 'manifest', json: JSON.stringify(change(JSON.parse(f.json))) } : f,
  );
}

describe.each(BACKENDS)('backup and restore on %s', (backend) => {
  const other: Backend = backend === 'pglite' ? 'postgres' : 'pglite';
  let t: TestPlatform;
  let f: Fixture;
  let dir: string;
  let backupFile: string;
  let manifest: BackupManifest;
  let source: Awaited<ReturnType<typeof contentsOf>>;
  let restored: TestDatabase;
  const disposables: TestDatabase[] = [];

  async function fresh(on: Backend = backend): Promise<TestDatabase> {
    const database = await emptyDatabase(on);
    disposables.push(database);
    return database;
  }

  /** Data in every kind of table that matters, through the API as users make it. */
  async function populate(): Promise<void> {
    f = await registerFixture(t, 'bd', 'BD');
    // observations across two months: two partitions
    const points = [
      '2025-01-31T23:00:00Z',
      '2025-01-31T23:30:00Z',
      '2025-02-01T00:00:00Z',
      '2025-02-01T00:30:00Z',
    ];
    const observed = await t.request('POST', '/v1/observations', {
      key: f.key,
      body: points.map((time, i) => ({ series: f.seriesId, time, value: 30.25 + i })),
    });
    expect(observed.statusCode, observed.body).toBe(200);
    const event = await t.request('POST', '/v1/events', {
      key: f.key,
      body: [{ kind: 'fire', time: '2025-02-01T01:00:00Z', ...DHAKA, attributes: { frp: 12.5 } }],
    });
    expect(event.statusCode, event.body).toBe(200);
    const subscription = await t.request('POST', '/v1/subscriptions', {
      key: f.key,
      body: {
        channel: 'webhook',
        target: 'https://hooks.example.org/ew4e',
        area: { kind: 'circle', ...DHAKA, radius_km: 5 },
      },
    });
    expect(subscription.statusCode, subscription.body).toBe(201);
    const nowMs = Date.now();
    await publishSevereWarning(t, f, {
      nowMs,
      sentence: 'PM2.5 at 120 µg/m³, above 75',
      dedupeKey: `backup-test:${nowMs}`,
    });
    const [thread] = (await t.request('GET', '/v1/warnings', { key: f.key })).json().items;
    expect(thread.current.status).toBe('published');
    const incident = await t.request('POST', '/v1/incidents', {
      key: f.key,
      body: { warning_id: thread.id },
    });
    expect(incident.statusCode, incident.body).toBe(201);
    const user = await t.request('POST', '/v1/users', {
      body: {
        email: 'officer@example.org',
        name: 'Duty Officer',
        role: 'analyst',
        organisation_id: f.orgId,
        password: 'correct horse battery staple',
      },
    });
    expect(user.statusCode, user.body).toBe(201);
    const login = await t.request('POST', '/auth/login', {
      key: null,
      body: { email: 'officer@example.org', password: 'correct horse battery staple' },
    });
    expect(login.statusCode, login.body).toBe(200);
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ew4e-backup-'));
    t = await startTestPlatform(backend);
    await populate();
    // Nothing may change the source between its backup and its comparison.
    t.platform.services.detection.stop();
    await t.platform.services.warnings.idle();
    backupFile = path.join(dir, 'platform.ew4e-backup');
    manifest = await writeBackup(t.platform.services.database, backupFile);
    source = await contentsOf(t.platform.services.database);
    restored = await emptyDatabase(backend);
    await restoreBackup(restored.database, backupFile);
  }, 120_000);

  // Each PGlite takes ~0.5 GiB: a test's databases go when it ends.
  afterEach(async () => {
    for (const d of disposables.splice(0)) await d.dispose();
  });

  afterAll(async () => {
    await t?.close();
    await restored?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('holds data in every kind of table that matters (so that the comparisons below mean something)', () => {
    const rows = (table: string) => source.tables[table]?.length ?? 0;
    expect(rows('observation')).toBe(4);
    expect(source.partitions.map((p) => p.split(' ')[0])).toEqual([
      'observation_y2025m01',
      'observation_y2025m02',
    ]);
    for (const table of [
      'organisation',
      'api_key',
      'app_user',
      'user_session',
      'source',
      'station',
      'series',
      'event',
      'rule',
      'signal',
      'warning_thread',
      'warning',
      'subscription',
      'delivery',
      'incident',
      'incident_event',
      'variable',
    ])
      expect(rows(table), table).toBeGreaterThan(0);
    expect(rows('warning_audit')).toBeGreaterThanOrEqual(2);
    expect(rows('area')).toBeGreaterThan(100); // the Natural Earth countries: reference data
    expect(rows('kysely_migration')).toBe(MIGRATION_NAMES.length);
    expect(manifest.schemaVersion).toBe(MIGRATION_NAMES.at(-1));
    expect(manifest.backend).toBe(backend);
    expect(manifest.tables.find((t) => t.name === 'observation')?.rows).toBe(4);
  });

  it('restores every table row for row, every sequence where it was, and the partitions', async () => {
    expect(await contentsOf(restored.database)).toEqual(source);
  });

  it('continues the sequences, the append-only audit log and its hash chain after a restore', async () => {
    const db = restored.database.db;
    const maxOrganisation = Math.max(...source.tables.organisation!.map((r) => JSON.parse(r).id));
    const organisation = await db
      .insertInto('organisation')
      .values({ kind: 'country', code: 'ke', name: 'Kenya', parent_id: 1, iso_code: 'KE' })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(organisation.id).toBe(maxOrganisation + 1);

    const before = [];
    for await (const link of auditChain(db)) before.push(link);
    expect(verifyAuditChain(before)).toEqual({ checked: before.length });
    await expect(sql`update warning_audit set actor = 'intruder'`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from warning_audit`.execute(db)).rejects.toThrow(/append-only/);
    const audit = await db
      .insertInto('warning_audit')
      .values({ organisation_id: f.orgId, actor: 'restore-test', action: 'note', changes: '{}' })
      .returning(['id', 'chain_seq', 'prev_hash'])
      .executeTakeFirstOrThrow();
    expect(audit.id).toBe(Math.max(...before.map((l) => l.id)) + 1);
    expect(audit.chain_seq).toBe(before.length + 1);
    expect(audit.prev_hash).toBe(before.at(-1)!.hash);
    const after = [];
    for await (const link of auditChain(db)) after.push(link);
    expect(verifyAuditChain(after)).toEqual({ checked: before.length + 1 });
  });

  it('refuses a database that is not empty, changing nothing; --force replaces what is in it', async () => {
    const target = restored.database;
    const changed = await contentsOf(target);
    expect(changed).not.toEqual(source); // the previous test added rows
    await expect(restoreBackup(target, backupFile)).rejects.toMatchObject({
      code: 'EW4E_DATABASE_NOT_EMPTY',
      message: expect.stringContaining('--force'),
    });
    expect(await contentsOf(target)).toEqual(changed);
    await restoreBackup(target, backupFile, { force: true });
    expect(await contentsOf(target)).toEqual(source);
  });

  it('refuses a corrupt, truncated, foreign or newer backup before touching the target', async () => {
    const target = (await fresh()).database;
    const whole = await readFile(backupFile);
    const frames = await framesOf(backupFile);
    const bad = path.join(dir, 'bad.ew4e-backup');
    const refusals: [string, () => Promise<void>, RegExp][] = [
      [
        'truncated',
        () => writeFile(bad, whole.subarray(0, Math.floor(whole.length / 2))),
        /gzip stream is damaged or cut short/,
      ],
      ['without its last bytes', () => writeFile(bad, whole.subarray(0, whole.length - 4)), /cut short/],
      ['not a backup', () => writeFile(bad, gzipSync('id,name\n1,global\n')), /does not start as one/],
      ['not gzip', () => writeFile(bad, 'EW4E-BACKUP\n'), /gzip stream is damaged/],
      [
        'a changed value',
        () =>
          writeFrames(
            bad,
            frames.map((fr) =>
              fr.kind === 'data' && new TextDecoder().decode(fr.rows).includes('Duty Officer')
                ? {
                    kind: 'data',
                    rows: new TextEncoder().encode(
                      new TextDecoder().decode(fr.rows).replace('Duty Officer', 'Duty Offices'),
                    ),
                  }
                : fr,
            ),
          ),
        /the data of table app_user does not match its SHA-256/,
      ],
      [
        'a newer schema',
        () =>
          writeFrames(
            bad,
            withManifest(frames, (m) => ({ ...m, schemaVersion: '9999-from-the-future' })),
          ),
        /comes from a newer EW4E \(schema 9999-from-the-future; this one knows up to /,
      ],
    ];
    for (const [what, write, message] of refusals) {
      await write();
      await expect(restoreBackup(target, bad), what).rejects.toMatchObject({
        code: 'EW4E_INVALID_BACKUP',
        message: expect.stringMatching(message),
      });
      expect(await publicRelationCount(target), what).toBe(0);
    }
  });

  it('leaves the target as it was when rows fail to load half-way (schema dropped, migrated, loaded: all rolled back)', async () => {
    // Checksums that match rows the table cannot take (a column short): found only by COPY, in the transaction.
    const frames = await framesOf(backupFile);
    let table = '';
    let broken: Frame[] = frames.map((fr) => {
      if (fr.kind === 'table') table = fr.table;
      if (fr.kind !== 'data' || table !== 'variable') return fr;
      return { kind: 'data', rows: new TextEncoder().encode('pm25\tPM2.5\n') };
    });
    const digest = new TableDigest();
    digest.update(new TextEncoder().encode('pm25\tPM2.5\n'));
    broken = withManifest(broken, (m) => ({
      ...m,
      tables: m.tables.map((x) =>
        x.name === 'variable' ? { ...x, rows: digest.rows, bytes: digest.bytes, sha256: digest.sha256() } : x,
      ),
    }));
    const bad = path.join(dir, 'unloadable.ew4e-backup');
    await writeFrames(bad, broken);

    const full = restored.database;
    const before = await contentsOf(full);
    await expect(restoreBackup(full, bad, { force: true })).rejects.toThrow(/missing data for column/);
    expect(await contentsOf(full)).toEqual(before);
  });

  // Both directions in one test: PGlite → PostgreSQL → PGlite.
  it.runIf(backend === 'pglite' && BACKENDS.includes(other))(
    `crosses to ${other} and back, byte for byte`,
    async () => {
      const there = await fresh(other);
      await restoreBackup(there.database, backupFile);
      const backAgainFile = path.join(dir, `via-${other}.ew4e-backup`);
      const viaOther = await writeBackup(there.database, backAgainFile);
      expect(viaOther.backend).toBe(other);
      // The same bytes from either backend: each table's SHA-256 is the same.
      expect(viaOther.tables).toEqual(manifest.tables);
      expect(viaOther.sequences).toEqual(manifest.sequences);
      const home = await fresh();
      await restoreBackup(home.database, backAgainFile);
      expect(await contentsOf(home.database)).toEqual(source);
    },
  );

  // Last: it hands the restored database (the backup's content again after the tests above) to the command.
  it.runIf(backend === 'pglite')(
    'runs as the ew4e command: backup, restore, and a refusal with exit code 2',
    async () => {
      await restored.database.close(); // one process per PGlite folder: the command's now
      const file = path.join(dir, 'cli.ew4e-backup');
      const backedUp = await runEw4e(['backup', file], restored.location);
      expect(backedUp.code, backedUp.stderr).toBe(0);
      expect(backedUp.stdout).toMatch(/cli\.ew4e-backup: \d+ tables, [\d,]+ rows \(.+ MB as text\), schema /);

      const into = await fresh();
      await into.database.close();
      const first = await runEw4e(['restore', file], into.location);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toContain(`restored ${file}`);
      const again = await runEw4e(['restore', file], into.location);
      expect(again.code).toBe(2);
      expect(again.stderr).toContain('the database already has tables');
      expect(again.stderr).toContain('EW4E_DATABASE_NOT_EMPTY');

      const check = await openDatabase(into.location);
      try {
        expect(await contentsOf(check)).toEqual(source);
      } finally {
        await check.close();
      }
    },
    // Three processes, each starting tsx and PGlite: ~25 s alone, more beside the rest of the suite.
    180_000,
  );
});
