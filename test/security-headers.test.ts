/** Security headers on every kind of reply: the dashboard, the API, errors, /docs, and our self-contained HTML. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from './support/test-database.ts';
import { startTestPlatform, type TestPlatform } from './support/test-platform.ts';

/** The headers are the same whatever the storage: one backend is enough. */
const backend = BACKENDS[0]!;

/** A directive of a CSP header as a list of its sources, undefined when absent. */
function directive(csp: unknown, name: string): string[] | undefined {
  const found = String(csp)
    .split(';')
    .map((d) => d.trim().split(/\s+/))
    .find(([n]) => n === name);
  return found?.slice(1);
}

describe(`security headers on ${backend}`, () => {
  let t: TestPlatform;
  let plain: TestPlatform;
  let webDir: string;

  beforeAll(async () => {
    // A stand-in for web/dist, so that this test does not need the dashboard built.
    webDir = await mkdtemp(path.join(tmpdir(), 'ew4e-web-'));
    await writeFile(
      path.join(webDir, 'index.html'),
      '<!doctype html><title>EW4E</title><div id="app"></div>',
    );
    t = await startTestPlatform(backend, { webDir });
    plain = await startTestPlatform(backend, { webDir, publicUrl: 'http://localhost:8080' });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await plain?.close();
    await rm(webDir, { recursive: true, force: true });
  });

  it('gives the dashboard a strict CSP that still lets MapLibre run, and the usual hardening headers', async () => {
    const r = await t.request('GET', '/', { key: null });
    expect(r.statusCode).toBe(200);
    const csp = r.headers['content-security-policy'];
    expect(directive(csp, 'default-src')).toEqual(["'self'"]);
    expect(directive(csp, 'script-src')).toEqual(["'self'"]);
    expect(directive(csp, 'style-src')).toEqual(["'self'"]);
    expect(directive(csp, 'worker-src')).toEqual(["'self'", 'blob:']);
    expect(directive(csp, 'connect-src')).toEqual(["'self'", 'blob:']);
    expect(directive(csp, 'img-src')).toEqual(["'self'", 'data:', 'blob:']);
    expect(directive(csp, 'frame-ancestors')).toEqual(["'none'"]);
    expect(directive(csp, 'object-src')).toEqual(["'none'"]);
    expect(String(csp)).not.toMatch(/unsafe-eval|unsafe-inline/);
    expect(r.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'strict-origin-when-cross-origin',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
    });
    expect(r.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(directive(csp, 'upgrade-insecure-requests')).toEqual([]);
  });

  it('sends them on API replies and on error problems too', async () => {
    for (const r of [
      await t.request('GET', '/v1/organisations'),
      await t.request('GET', '/v1/organisations', { key: 'wrong' }),
      await t.request('GET', '/no/such/route', { key: null }),
      await t.request('GET', '/health', { key: null }),
    ]) {
      expect(directive(r.headers['content-security-policy'], 'default-src'), String(r.statusCode)).toEqual([
        "'self'",
      ]);
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['strict-transport-security']).toBeDefined();
    }
  });

  it('gives /docs its own policy: Swagger UI from our origin, its icons as data:, never framed', async () => {
    for (const url of ['/docs/', '/docs/json', '/docs/static/swagger-initializer.js']) {
      const r = await t.request('GET', url, { key: null });
      expect(r.statusCode, url).toBe(200);
      const csp = r.headers['content-security-policy'];
      expect(directive(csp, 'script-src'), url).toEqual(["'self'"]);
      expect(directive(csp, 'img-src'), url).toEqual(["'self'", 'data:']);
      expect(directive(csp, 'frame-ancestors'), url).toEqual(["'none'"]);
      expect(String(csp)).not.toMatch(/unsafe-eval|unsafe-inline|https:/);
      expect(r.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('lets the situation report keep its inline styles, run no script, and be framed by the dashboard only', async () => {
    const r = await t.request('GET', '/v1/reports/situation.html');
    expect(r.statusCode, r.body).toBe(200);
    expect(r.body).toContain('<style>');
    const csp = r.headers['content-security-policy'];
    expect(directive(csp, 'default-src')).toEqual(["'none'"]);
    expect(directive(csp, 'style-src')).toEqual(["'unsafe-inline'"]);
    expect(directive(csp, 'script-src')).toBeUndefined();
    expect(directive(csp, 'frame-ancestors')).toEqual(["'self'"]);
    expect(r.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('over plain http: no HSTS and no upgrade of requests, which would break a laptop or the demo', async () => {
    const r = await plain.request('GET', '/', { key: null });
    expect(r.headers['strict-transport-security']).toBeUndefined();
    expect(directive(r.headers['content-security-policy'], 'upgrade-insecure-requests')).toBeUndefined();
    expect(r.headers['x-content-type-options']).toBe('nosniff');
  });
});
