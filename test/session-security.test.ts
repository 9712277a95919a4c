/**
 * Dashboard sessions, hardened: Secure cookies behind TLS (and a trusted proxy only), login CSRF refused by
 * Origin, CSRF tokens required on changes, and scrypt hashes of earlier versions upgraded to argon2id at sign-in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPasswordScrypt, verifyPassword } from '../src/registry/password.ts';
import { BACKENDS } from './support/test-database.ts';
import {
  type Fixture,
  registerFixture,
  startTestPlatform,
  type TestPlatform,
} from './support/test-platform.ts';

const PASSWORD = 'correct horse battery staple';

function cookieOf(headers: Record<string, unknown>): { pair: string; attributes: string[] } {
  const line = [headers['set-cookie']]
    .flat()
    .find((c) => typeof c === 'string' && c.startsWith('ew4e_session='));
  if (typeof line !== 'string')
    throw new Error(`no session cookie in ${JSON.stringify(headers['set-cookie'])}`);
  const [pair, ...attributes] = line.split(';').map((p) => p.trim());
  return { pair: pair!, attributes };
}

describe.each(BACKENDS)('dashboard sessions, hardened, on %s', (backend) => {
  let t: TestPlatform;
  let f: Fixture;
  let userId: number;

  beforeAll(async () => {
    // Served over plain http, behind a proxy the operator trusts: what the request says decides Secure.
    t = await startTestPlatform(backend, { publicUrl: 'http://ew4e.example', trustProxy: ['127.0.0.1'] });
    f = await registerFixture(t, 'bd', 'BD');
    const user = await t.request('POST', '/v1/users', {
      body: {
        email: 'duty@example.org',
        name: 'Duty',
        role: 'analyst',
        organisation_id: f.orgId,
        password: PASSWORD,
      },
    });
    expect(user.statusCode, user.body).toBe(201);
    userId = user.json().id;
  }, 60_000);
  afterAll(async () => t?.close());

  const signIn = (headers: Record<string, string> = {}, password = PASSWORD) =>
    t.request('POST', '/auth/login', { key: null, headers, body: { email: 'duty@example.org', password } });

  it('sets HttpOnly, SameSite=Strict, Path=/ always, and Secure only when the request came over TLS', async () => {
    const plain = await signIn();
    expect(plain.statusCode, plain.body).toBe(200);
    expect(cookieOf(plain.headers).attributes).toEqual(
      expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/']),
    );
    expect(cookieOf(plain.headers).attributes).not.toContain('Secure');
    const viaTls = await signIn({ 'x-forwarded-proto': 'https' });
    expect(cookieOf(viaTls.headers).attributes).toContain('Secure');
  });

  it('believes X-Forwarded-Proto only from a trusted proxy', async () => {
    const untrusted = await startTestPlatform(backend, { publicUrl: 'http://ew4e.example' });
    try {
      const f2 = await registerFixture(untrusted, 'ke', 'KE');
      await untrusted.request('POST', '/v1/users', {
        body: {
          email: 'x@example.org',
          name: 'X',
          role: 'viewer',
          organisation_id: f2.orgId,
          password: PASSWORD,
        },
      });
      const r = await untrusted.request('POST', '/auth/login', {
        key: null,
        headers: { 'x-forwarded-proto': 'https' },
        body: { email: 'x@example.org', password: PASSWORD },
      });
      expect(r.statusCode, r.body).toBe(200);
      expect(cookieOf(r.headers).attributes).not.toContain('Secure');
    } finally {
      await untrusted.close();
    }
  });

  it('refuses a sign-in posted from another origin (login CSRF), and accepts our own', async () => {
    const foreign = await signIn({ origin: 'https://evil.example' });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json()).toMatchObject({
      code: 'EW4E_FORBIDDEN',
      detail: 'sign-in from another origin is refused',
    });
    expect(foreign.headers['set-cookie']).toBeUndefined();
    expect((await signIn({ origin: 'http://ew4e.example' })).statusCode).toBe(200);
    // the host the browser used, when it is not the public URL (a laptop, an internal name)
    expect((await signIn({ origin: 'http://localhost:80', host: 'localhost:80' })).statusCode).toBe(200);
  });

  it('refuses a change with the session cookie and a missing or wrong CSRF token', async () => {
    const session = await signIn();
    const { pair } = cookieOf(session.headers);
    const csrf = session.json().csrf_token as string;
    const body = { title: 'Smoke' };
    for (const headers of [
      { cookie: pair },
      { cookie: pair, 'x-csrf-token': `${csrf}x` },
      { cookie: pair, 'x-csrf-token': '' },
    ]) {
      const r = await t.request('POST', '/v1/incidents', { key: null, headers, body });
      expect(r.statusCode).toBe(403);
      expect(r.json().detail).toBe('the CSRF token is missing or wrong');
    }
    const ok = await t.request('POST', '/v1/incidents', {
      key: null,
      headers: { cookie: pair, 'x-csrf-token': csrf },
      body,
    });
    expect(ok.statusCode, ok.body).toBe(201);
  });

  it('upgrades a scrypt hash of an earlier version to argon2id at the next successful sign-in', async () => {
    const db = t.platform.services.database.db;
    const legacy = await hashPasswordScrypt(PASSWORD, { N: 2 ** 10, r: 8, p: 1 });
    await db.updateTable('app_user').set({ password_hash: legacy }).where('id', '=', userId).execute();
    const storedHash = async () =>
      (
        await db
          .selectFrom('app_user')
          .select('password_hash')
          .where('id', '=', userId)
          .executeTakeFirstOrThrow()
      ).password_hash ?? '';

    // a wrong password changes nothing
    expect((await signIn({}, 'not the password')).statusCode).toBe(401);
    expect(await storedHash()).toBe(legacy);

    expect((await signIn()).statusCode).toBe(200);
    const upgraded = await storedHash();
    expect(upgraded).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(PASSWORD, upgraded)).toBe(true);
    // and the next sign-in uses it, leaving it as it is
    expect((await signIn()).statusCode).toBe(200);
    expect(await storedHash()).toBe(upgraded);
  });
});
