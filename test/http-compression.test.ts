/**
 * Replies are compressed for clients that ask (brotli, else gzip), so that users behind slow links get the
 * big layers and documents in a fraction of their size; live streams are never compressed (a compressor would
 * hold their events back).
 */
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from './support/test-database.ts';
import { ADMIN_KEY, startTestPlatform, type TestPlatform } from './support/test-platform.ts';

/** Compression does not depend on the storage: one backend is enough. */
const backend = BACKENDS[0]!;

describe(`HTTP compression on ${backend}`, () => {
  let t: TestPlatform;
  let base: string;

  beforeAll(async () => {
    t = await startTestPlatform(backend);
    await t.platform.server.listen({ port: 0, host: '127.0.0.1' });
    const address = t.platform.server.server.address();
    if (address === null || typeof address === 'string') throw new Error('not listening');
    base = `http://127.0.0.1:${address.port}`;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  const get = (url: string, acceptEncoding?: string) =>
    t.platform.server.inject({
      method: 'GET',
      url,
      headers: {
        authorization: `Bearer ${ADMIN_KEY}`,
        ...(acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding }),
      },
    });

  it('sends brotli or gzip to clients that accept them, and the same document decoded', async () => {
    const plain = await get('/docs/json');
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    const document = JSON.parse(plain.body);

    const br = await get('/docs/json', 'gzip, deflate, br');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    expect(JSON.parse(brotliDecompressSync(br.rawPayload).toString('utf8'))).toEqual(document);
    expect(br.rawPayload.length).toBeLessThan(plain.rawPayload.length / 4);

    const gzip = await get('/docs/json', 'gzip');
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(gzip.rawPayload).toString('utf8'))).toEqual(document);
  });

  it('leaves small replies as they are', async () => {
    const health = await get('/health', 'br');
    expect(health.statusCode).toBe(200);
    expect(health.headers['content-encoding']).toBeUndefined();
  });

  it('never compresses a live stream: its events arrive as they happen', async () => {
    const controller = new AbortController();
    const response = await fetch(`${base}/feeds/warnings/stream`, {
      headers: { 'accept-encoding': 'gzip, br' },
      signal: controller.signal,
    });
    try {
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(response.headers.get('content-encoding')).toBeNull();
    } finally {
      controller.abort();
    }
  });
});
