/** Signals appear live: a real server, a Server-Sent Events client, and a spike ingested while it listens. */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Fixture,
  registerFixture,
  startTestPlatform,
  type TestPlatform,
} from './support/test-platform.ts';

const MINUTE = 60_000;

describe('GET /v1/signals/stream (PGlite)', () => {
  let t: TestPlatform;
  let f: Fixture;
  let other: Fixture;
  let base: string;

  beforeAll(async () => {
    t = await startTestPlatform('pglite');
    f = await registerFixture(t, 'ss', 'BD');
    other = await registerFixture(t, 'so', 'KE');
    await t.platform.server.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.platform.server.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await t?.close();
  });

  it("streams a new signal to its organisation's listener, and not to another organisation's", async () => {
    const controller = new AbortController();
    const listen = async (key: string) => {
      const response = await fetch(`${base}/v1/signals/stream`, {
        headers: { authorization: `Bearer ${key}` },
        signal: controller.signal,
      });
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      return response.body!.getReader();
    };
    const mine = await listen(f.key);
    const theirs = await listen(other.key);

    // a quiet day, then a value far beyond anything seen: the ensemble's seen-range rule fires on it
    const t0 = Math.floor(Date.now() / 86_400_000 - 3) * 86_400_000;
    const rows = ['series,time,value'];
    for (let i = 0; i < 1500; i++)
      rows.push(
        `${f.seriesId},${new Date(t0 + i * MINUTE).toISOString()},${(30 + Math.sin(i / 50) * 3).toFixed(2)}`,
      );
    rows.push(`${f.seriesId},${new Date(t0 + 1500 * MINUTE).toISOString()},900`);
    expect(
      (
        await t.request('POST', '/v1/observations', {
          key: f.key,
          body: rows.join('\n'),
          contentType: 'text/csv',
        })
      ).statusCode,
    ).toBe(200);
    await t.platform.services.detection.flush();

    const decoder = new TextDecoder();
    let text = '';
    const deadline = Date.now() + 10_000;
    while (!text.includes('event: signal') && Date.now() < deadline) {
      const { value, done } = await mine.read();
      if (done) break;
      text += decoder.decode(value);
    }
    const data = text.split('\n').find((line) => line.startsWith('data: '));
    expect(data, text).toBeDefined();
    const signal = JSON.parse(data!.slice('data: '.length));
    expect(signal).toMatchObject({ series_id: f.seriesId, origin: 'detector', observed: 900 });
    expect(signal.start_time).toBe(new Date(t0 + 1500 * MINUTE).toISOString());

    // the other organisation's stream got only its opening comment
    const first = decoder.decode((await theirs.read()).value);
    const more = await Promise.race([
      theirs.read().then(
        () => 'data',
        () => 'closed',
      ),
      new Promise((r) => setTimeout(() => r('quiet'), 500)),
    ]);
    expect(first).not.toContain('event: signal');
    expect(more).toBe('quiet');
    controller.abort();
  });
});
