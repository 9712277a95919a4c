/** Request budgets: per key, per signed-in user, per client IP on public routes, and the strict ones for sign-in and self-service. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from './support/test-database.ts';
import { registerFixture, startTestPlatform, type TestPlatform } from './support/test-platform.ts';

/** Budgets live in the server's memory, whatever the storage: one backend is enough. */
const backend = BACKENDS[0]!;
const PASSWORD = 'correct horse battery staple';

/** Small budgets, so that a test can spend one. */
const LIMITS = { perMinute: 8, signInPerEmail: 3, signInPerIp: 5, selfServicePerIp: 2 };

describe(`rate limits on ${backend}`, () => {
  let t: TestPlatform;
  let analystKey: string;
  let orgId: number;

  beforeAll(async () => {
    t = await startTestPlatform(backend, { rateLimits: LIMITS });
    // The fixture spends the admin key's budget; each test below uses budgets of its own.
    const f = await registerFixture(t, 'bd', 'BD');
    analystKey = f.key;
    orgId = f.orgId;
  }, 60_000);
  afterAll(async () => t?.close());

  const request = (
    method: 'GET' | 'POST',
    url: string,
    options: Parameters<TestPlatform['request']>[2] & { ip?: string } = {},
  ) => {
    const { ip, ...rest } = options;
    return (
      t.platform.server
        .inject({
          method,
          url,
          remoteAddress: ip ?? '127.0.0.1',
          headers: {
            ...(rest.key === null ? {} : { authorization: `Bearer ${rest.key ?? analystKey}` }),
            ...(rest.body === undefined ? {} : { 'content-type': 'application/json' }),
            ...rest.headers,
          },
          ...(rest.body === undefined ? {} : { payload: JSON.stringify(rest.body) }),
        })
        // biome-ignore lint/suspicious/noExplicitAny: the test reads problems and replies of several shapes.
        .then((r) => ({ statusCode: r.statusCode, headers: r.headers, json: (): any => r.json() }))
    );
  };

  it('gives each API key its own budget per minute; the 429 is a problem with Retry-After and RateLimit headers', async () => {
    const other = await t.request('POST', '/v1/keys', {
      body: { name: 'second', role: 'viewer', organisation_id: orgId },
    });
    expect(other.statusCode, other.body).toBe(201);
    const first = await request('GET', '/v1/stations', { key: other.json().key });
    expect(first.statusCode).toBe(200);
    expect(first.headers).toMatchObject({ 'ratelimit-limit': '8', 'ratelimit-remaining': '7' });
    for (let i = 1; i < LIMITS.perMinute; i++) {
      expect((await request('GET', '/v1/stations', { key: other.json().key })).statusCode).toBe(200);
    }
    const limited = await request('GET', '/v1/stations', { key: other.json().key });
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(limited.json()).toMatchObject({ status: 429, code: 'EW4E_RATE_LIMITED' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(limited.headers['ratelimit-remaining']).toBe('0');
    // another key, from the same address, is not held back by it
    expect((await request('GET', '/v1/stations')).statusCode).toBe(200);
  });

  it('counts public routes per client IP, and leaves /health alone', async () => {
    for (let i = 0; i < LIMITS.perMinute; i++) {
      expect((await request('GET', '/feeds/warnings.atom', { key: null, ip: '192.0.2.10' })).statusCode).toBe(
        200,
      );
    }
    expect((await request('GET', '/feeds/warnings.atom', { key: null, ip: '192.0.2.10' })).statusCode).toBe(
      429,
    );
    expect((await request('GET', '/feeds/warnings.atom', { key: null, ip: '192.0.2.11' })).statusCode).toBe(
      200,
    );
    for (let i = 0; i < LIMITS.perMinute + 2; i++) {
      const health = await request('GET', '/health', { key: null, ip: '192.0.2.10' });
      expect(health.statusCode).toBe(200);
      expect(health.headers['ratelimit-limit']).toBeUndefined();
    }
  });

  it('stops password guessing at one address, whichever IPs the guesses come from', async () => {
    const user = await t.request('POST', '/v1/users', {
      body: {
        email: 'duty@example.org',
        name: 'Duty',
        role: 'viewer',
        organisation_id: orgId,
        password: PASSWORD,
      },
    });
    expect(user.statusCode, user.body).toBe(201);
    const guess = (ip: string, password = 'a wrong guess!') =>
      request('POST', '/auth/login', { key: null, ip, body: { email: 'Duty@example.org', password } });
    for (let i = 0; i < LIMITS.signInPerEmail; i++)
      expect((await guess(`198.51.100.${i}`)).statusCode).toBe(401);
    // the right password too: the address is locked for the window
    const locked = await guess('198.51.100.99', PASSWORD);
    expect(locked.statusCode).toBe(429);
    expect(locked.json().code).toBe('EW4E_RATE_LIMITED');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(60);
    expect(locked.headers['set-cookie']).toBeUndefined();
  });

  it('stops one IP from trying many addresses', async () => {
    const attempt = (n: number) =>
      request('POST', '/auth/login', {
        key: null,
        ip: '203.0.113.7',
        body: { email: `nobody${n}@example.org`, password: 'whatever it is' },
      });
    for (let i = 0; i < LIMITS.signInPerIp; i++) expect((await attempt(i)).statusCode).toBe(401);
    const limited = await attempt(99);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe('EW4E_RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(60);
  });

  it('holds self-service subscriptions, which send a message to whoever is named, to a few per IP', async () => {
    const subscribe = (n: number) =>
      request('POST', '/public/subscriptions', {
        key: null,
        ip: '203.0.113.50',
        body: {
          channel: 'email',
          target: `someone${n}@example.org`,
          area: { kind: 'circle', lon: 90.4, lat: 23.8, radius_km: 3 },
        },
      });
    for (let i = 0; i < LIMITS.selfServicePerIp; i++) expect((await subscribe(i)).statusCode).toBe(202);
    const limited = await subscribe(99);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe('EW4E_RATE_LIMITED');
  });

  it('gives a signed-in user one budget across their requests', async () => {
    const signIn = await request('POST', '/auth/login', {
      key: null,
      ip: '192.0.2.200',
      body: { email: 'viewer2@example.org', password: PASSWORD },
    });
    // no such user yet: create one and sign in from a fresh address
    expect(signIn.statusCode).toBe(401);
    const created = await t.request('POST', '/v1/users', {
      body: {
        email: 'viewer2@example.org',
        name: 'V2',
        role: 'viewer',
        organisation_id: orgId,
        password: PASSWORD,
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const ok = await request('POST', '/auth/login', {
      key: null,
      ip: '192.0.2.201',
      body: { email: 'viewer2@example.org', password: PASSWORD },
    });
    expect(ok.statusCode).toBe(200);
    const cookie = String(ok.headers['set-cookie']).split(';')[0]!;
    let last = 0;
    for (let i = 0; i <= LIMITS.perMinute; i++) {
      // from changing addresses: the budget follows the user
      last = (
        await request('GET', '/v1/stations', { key: null, ip: `192.0.2.${210 + i}`, headers: { cookie } })
      ).statusCode;
    }
    expect(last).toBe(429);
  });
});
