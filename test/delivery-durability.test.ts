/** Deliveries survive kill -9: 10 000 pending in the outbox, the server killed mid-way, restarted: every one delivered, duplicates only under the same webhook-id. */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { insertSignals } from '../src/store/signal.repository.ts';
import { responderSubscriptions } from './support/responders.ts';
import { BACKENDS } from './support/test-database.ts';
import {
  ADMIN_KEY,
  fixtureSignal,
  registerFixture,
  startTestPlatform,
  type TestPlatform,
} from './support/test-platform.ts';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.ts';

const DELIVERIES = 10_000;

async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.each(BACKENDS)('delivery durability on %s', (backend) => {
  let child: ChildProcess | undefined;
  let receiver: WebhookReceiver | undefined;
  let t: TestPlatform | undefined;

  afterEach(async () => {
    child?.kill('SIGKILL');
    await receiver?.close();
  });

  it('delivers all of 10 000 pending deliveries across a kill -9, at least once, each under one stable id', async () => {
    t = await startTestPlatform(backend);
    receiver = await startWebhookReceiver();
    const f = await registerFixture(t, 'kd', 'BD');
    const secret = await t.platform.services.webhookSecretFor(receiver.url);
    receiver.setSecret(secret);
    const db = t.platform.services.database.db;
    // 10 000 responders around Dhaka (written in bulk; the API path is tested elsewhere)
    const rows = responderSubscriptions(f.orgId, DELIVERIES, () => receiver?.url ?? '', secret);
    for (let i = 0; i < rows.length; i += 1000)
      await db
        .insertInto('subscription')
        .values(rows.slice(i, i + 1000))
        .execute();
    const rule = await t.request('POST', '/v1/rules', {
      key: f.key,
      body: {
        name: 'PM2.5 above 75 in Dhaka',
        definition: {
          kind: 'threshold',
          select: { series: f.seriesCode },
          when: 'above',
          level: 75,
          severity: 'Severe',
          warning: { autoPublish: ['Severe'], radiusKm: 30 },
        },
      },
    });
    const now = Date.now();
    const ids = await insertSignals(db, [
      fixtureSignal(f, {
        raisedBy: { origin: 'rule', ruleId: rule.json().id, ruleVersion: rule.json().version },
        startMs: now,
        dedupeKey: 'kill-9',
      }),
    ]);
    await t.platform.services.warnings.process(ids, now);
    const pending = await db
      .selectFrom('delivery')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'pending')
      .executeTakeFirstOrThrow();
    expect(Number(pending.n)).toBe(DELIVERIES);
    const location = t.testDatabase.location;
    await t.closeKeepingDatabase();

    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      EW4E_ADMIN_KEY: ADMIN_KEY,
      LOG_LEVEL: 'warn',
      EW4E_DELIVERY_LEASE_MS: '3000',
      EW4E_DELIVERY_BACKOFF_MS: '200',
    };
    if ('dataDir' in location) {
      env.EW4E_DATA_DIR = location.dataDir;
      delete env.DATABASE_URL;
    } else {
      env.DATABASE_URL = location.databaseUrl;
    }
    const start = () =>
      spawn(process.execPath, ['bin/ew4e.mjs', 'serve'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    child = start();
    await waitFor(() => (receiver?.received.length ?? 0) >= 1500, 120_000, 'the first deliveries');
    child.kill('SIGKILL');
    await new Promise((r) => child?.once('exit', r));
    const beforeRestart = receiver.received.length;
    expect(beforeRestart).toBeLessThan(DELIVERIES); // killed mid-way, not after the end

    child = start();
    const distinct = () => new Set(receiver?.received.map((r) => r.id)).size;
    await waitFor(() => distinct() === DELIVERIES, 180_000, 'every delivery');
    const received = receiver.received;
    expect(received.every((r) => r.verified)).toBe(true);
    // a duplicate is the same delivery again: same webhook-id, same payload id
    for (const r of received) expect(JSON.parse(r.body).id).toBe(r.id);
    const status = await fetch(`http://127.0.0.1:${port}/v1/warnings?status=open`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    const [thread] = ((await status.json()) as { items: { id: number }[] }).items;
    await waitFor(
      async () => {
        const log = (await (
          await fetch(`http://127.0.0.1:${port}/v1/warnings/${thread?.id}/deliveries`, {
            headers: { authorization: `Bearer ${ADMIN_KEY}` },
          })
        ).json()) as { summary: { webhook?: { delivered?: number } } };
        return log.summary.webhook?.delivered === DELIVERIES;
      },
      30_000,
      'the delivery log to show every delivery delivered',
    );
    child.kill('SIGKILL');
    await new Promise((r) => child?.once('exit', r));
    child = undefined;
    await t.testDatabase.dispose();
  }, 420_000);
});
