/** No secret in the logs: every line the server writes through a sign-in, keyed requests, key creation and failures. */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform, type Platform } from '../src/app.ts';
import { createLogger, redactUrl } from '../src/server/logging.ts';
import { BACKENDS, freshDatabase, type TestDatabase } from './support/test-database.ts';
import { ADMIN_KEY, testConfig } from './support/test-platform.ts';

/** What is logged does not depend on the storage: one backend is enough. */
const backend = BACKENDS[0]!;
const PASSWORD = 'a secret passphrase 7f3a';

describe(`secrets in the log on ${backend}`, () => {
  const lines: string[] = [];
  let testDatabase: TestDatabase;
  let platform: Platform;

  beforeAll(async () => {
    testDatabase = await freshDatabase(backend);
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    platform = await createPlatform(testConfig(), createLogger('trace', sink), testDatabase.database);
  }, 60_000);
  afterAll(async () => {
    await platform?.close();
    await testDatabase?.dispose();
  });

  const inject = (
    method: 'GET' | 'POST',
    url: string,
    options: { headers?: Record<string, string>; body?: unknown } = {},
  ) =>
    platform.server.inject({
      method,
      url,
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      },
      ...(options.body === undefined ? {} : { payload: JSON.stringify(options.body) }),
    });

  it('writes none of the password, API keys, session token, CSRF token or link tokens', async () => {
    const admin = { authorization: `Bearer ${ADMIN_KEY}` };
    const user = await inject('POST', '/v1/users', {
      headers: admin,
      body: { email: 'duty@example.org', name: 'Duty', role: 'analyst', password: PASSWORD },
    });
    expect(user.statusCode, user.body).toBe(201);

    const login = await inject('POST', '/auth/login', {
      body: { email: 'duty@example.org', password: PASSWORD },
    });
    expect(login.statusCode, login.body).toBe(200);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const sessionToken = cookie.slice('ew4e_session='.length);
    const csrf = login.json().csrf_token as string;

    const created = await inject('POST', '/v1/keys', {
      headers: admin,
      body: { name: 'gateway', role: 'analyst' },
    });
    expect(created.statusCode).toBe(201);
    const newKey = created.json().key as string;
    expect((await inject('GET', '/v1/stations', { headers: { 'x-api-key': newKey } })).statusCode).toBe(200);

    // failures: a bad session change, an unknown key, a wrong password, a link with a token
    const change = await inject('POST', '/v1/incidents', {
      headers: { cookie, 'x-csrf-token': csrf },
      body: {},
    });
    expect(change.statusCode).toBe(400);
    const wrongKey = 'ew4e_wrongwrongwrongwrongwrongwrongwrong1234';
    expect(
      (await inject('GET', '/v1/stations', { headers: { authorization: `Bearer ${wrongKey}` } })).statusCode,
    ).toBe(401);
    expect(
      (await inject('POST', '/auth/login', { body: { email: 'duty@example.org', password: `${PASSWORD}!` } }))
        .statusCode,
    ).toBe(401);
    const linkToken = 'unsubscribe-token-0123456789abcdef';
    await inject('GET', `/public/unsubscribe?token=${linkToken}&lang=fr`);

    // and whatever a handler might log one day
    platform.server.log.info(
      {
        req: { headers: { authorization: `Bearer ${newKey}`, cookie, 'x-csrf-token': csrf } },
        body: { email: 'duty@example.org', password: PASSWORD },
        headers: { 'x-api-key': ADMIN_KEY },
      },
      'a careless log line',
    );

    const log = lines.join('');
    expect(log).toContain('incoming request');
    expect(log).toContain('a careless log line');
    expect(log).toContain('[redacted]');
    expect(log).toContain('/public/unsubscribe?token=[redacted]&lang=fr');
    for (const secret of [PASSWORD, ADMIN_KEY, newKey, sessionToken, csrf, wrongKey, linkToken]) {
      expect(log, secret).not.toContain(secret);
    }
  });

  it('redacts secret query values and leaves the rest of the URL alone', () => {
    expect(redactUrl('/v1/stations?limit=10')).toBe('/v1/stations?limit=10');
    expect(redactUrl('/public/acknowledge?token=abc&x=1')).toBe('/public/acknowledge?token=[redacted]&x=1');
    expect(redactUrl('/x?api_key=k&Code=123&flag')).toBe('/x?api_key=[redacted]&Code=[redacted]&flag');
    expect(redactUrl('/no-query')).toBe('/no-query');
  });
});
