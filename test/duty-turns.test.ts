/**
 * Clock duties across processes: each duty's turn is taken by one process at a time, and each due federation
 * feed is polled by one process, however many offer at once. On PostgreSQL the two "processes" are two
 * connection pools; on PGlite (one process by nature) two callers on one connection.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../src/store/database.ts';
import { takeTurn } from '../src/store/duty-turn.repository.ts';
import { FederationService } from '../src/warn/federation/federation-service.ts';
import { SHARED_CAP_DIR } from './support/cap-tools.ts';
import { BACKENDS } from './support/test-database.ts';
import { registerFixture, startTestPlatform, type TestPlatform } from './support/test-platform.ts';

describe.each(BACKENDS)('clock duties shared by processes on %s', (backend) => {
  let t: TestPlatform;
  let first: Database;
  let second: Database;
  let orgId: number;
  beforeAll(async () => {
    t = await startTestPlatform(backend);
    orgId = (await registerFixture(t, 'dt', 'GH')).orgId;
    first = t.platform.services.database;
    const { location } = t.testDatabase;
    second = 'databaseUrl' in location ? await openDatabase({ databaseUrl: location.databaseUrl }) : first;
  }, 60_000);
  afterAll(async () => {
    if (second !== first) await second?.close();
    await t?.close();
  });

  it('gives a turn to one of many concurrent offers, none until it falls due, then one again', async () => {
    const offer = (holder: number) =>
      takeTurn((holder % 2 === 0 ? first : second).db, 'rule tick', `process ${holder}`, 400);
    const taken = await Promise.all(Array.from({ length: 12 }, (_, holder) => offer(holder)));
    expect(taken.filter(Boolean)).toHaveLength(1);

    expect((await Promise.all([offer(0), offer(1), offer(2)])).filter(Boolean)).toHaveLength(0);
    // Another duty has turns of its own.
    expect(await takeTurn(first.db, 'warning tick', 'process 0', 400)).toBe(true);

    await sleep(500);
    const again = await Promise.all(Array.from({ length: 12 }, (_, holder) => offer(holder)));
    expect(again.filter(Boolean)).toHaveLength(1);
    const row = await first.db
      .selectFrom('duty_turn')
      .selectAll()
      .where('duty', '=', 'rule tick')
      .executeTakeFirstOrThrow();
    expect(row.taken_by).toBe(`process ${again.indexOf(true)}`);
  });

  it('polls each due feed once when two processes look for due feeds at the same moment', async () => {
    const feed = readFileSync(join(SHARED_CAP_DIR, 'feeds', 'google__weather.atom'));
    const hits = new Map<string, number>();
    const server = createServer((request, response) => {
      hits.set(request.url ?? '/', (hits.get(request.url ?? '/') ?? 0) + 1);
      response.writeHead(200, { 'content-type': 'application/atom+xml' }).end(feed);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const processes = [new FederationService(first.db), new FederationService(second.db)];
      const paths = ['/a.atom', '/b.atom', '/c.atom', '/d.atom'];
      const ids: number[] = [];
      for (const p of paths)
        ids.push(
          await processes[0]!.addSource({
            organisationId: orgId,
            name: p,
            url: `${base}${p}`,
            pollIntervalS: 600,
          }),
        );

      const nowMs = Date.now() + 1_000; // every source is due
      await Promise.all(processes.map((p) => p.pollDue(nowMs)));
      expect(Object.fromEntries(hits)).toEqual(Object.fromEntries(paths.map((p) => [p, 1])));

      // Each poll set the source's real next time (its interval on), not the claim's.
      const sources = await first.db
        .selectFrom('cap_source')
        .select(['id', 'next_poll_at', 'health'])
        .where('id', 'in', ids)
        .execute();
      for (const s of sources) {
        expect(s.health).toBe('ok');
        expect(s.next_poll_at.getTime()).toBe(nowMs + 600_000);
      }
      // Nothing is due now; an hour on, each is polled once more.
      await Promise.all(processes.map((p) => p.pollDue(nowMs + 1_000)));
      expect([...hits.values()]).toEqual([1, 1, 1, 1]);
      await Promise.all(processes.map((p) => p.pollDue(nowMs + 3_600_000)));
      expect([...hits.values()]).toEqual([2, 2, 2, 2]);
    } finally {
      server.close();
    }
  });
});
