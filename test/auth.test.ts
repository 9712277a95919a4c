/** Dashboard sign-in: the session cookie, the CSRF token every change must send, roles, sign-out and expiry. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from './support/test-database.ts';
import {
  type Fixture,
  registerFixture,
  startTestPlatform,
  type TestPlatform,
} from './support/test-platform.ts';

const PASSWORD = 'correct horse battery staple';

/** The `name=value` of the session cookie a reply sets, and the cookie's attributes. */
function sessionCookie(headers: Record<string, unknown>): { pair: string; attributes: string[] } {
  const setCookie = headers['set-cookie'];
  const all = Array.isArray(setCookie) ? setCookie : [setCookie];
  const line = all.find((c): c is string => typeof c === 'string' && c.startsWith('ew4e_session='));
  if (line === undefined) throw new Error(`no session cookie in ${JSON.stringify(setCookie)}`);
  const [pair, ...attributes] = line.split(';').map((p) => p.trim());
  return { pair: pair!, attributes };
}

describe.each(BACKENDS)('dashboard sign-in on %s', (backend) => {
  let t: TestPlatform;
  let f: Fixture;
  const users: Record<string, number> = {};

  beforeAll(async () => {
    t = await startTestPlatform(backend);
    f = await registerFixture(t, 'bd', 'BD');
    for (const [email, role, password] of [
      ['Analyst@Example.org', 'analyst', PASSWORD],
      ['viewer@example.org', 'viewer', PASSWORD],
      ['nopassword@example.org', 'analyst', undefined],
    ] as const) {
      const r = await t.request('POST', '/v1/users', {
        body: { email, name: `${role} user`, role, organisation_id: f.orgId, password },
      });
      expect(r.statusCode, r.body).toBe(201);
      users[email.toLowerCase()] = r.json().id;
    }
  }, 60_000);
  afterAll(async () => t?.close());

  async function signIn(email: string, password = PASSWORD) {
    const r = await t.request('POST', '/auth/login', { key: null, body: { email, password } });
    expect(r.statusCode, r.body).toBe(200);
    return { cookie: sessionCookie(r.headers).pair, csrf: r.json().csrf_token as string, body: r.json() };
  }

  it('signs in with e-mail (any case) and password: the user, a CSRF token and an HttpOnly, SameSite=Strict cookie', async () => {
    const r = await t.request('POST', '/auth/login', {
      key: null,
      body: { email: 'ANALYST@example.org', password: PASSWORD },
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({
      user: {
        id: users['analyst@example.org'],
        name: 'analyst user',
        email: 'analyst@example.org',
        role: 'analyst',
        organisation_id: f.orgId,
        organisation_name: 'Country bd',
      },
      csrf_token: expect.stringMatching(/^[A-Za-z0-9_-]{40,}$/),
    });
    const { pair, attributes } = sessionCookie(r.headers);
    expect(pair).toMatch(/^ew4e_session=[A-Za-z0-9_-]{40,}$/);
    expect(attributes).toEqual(
      expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/', 'Max-Age=43200']),
    );
    // the test platform's public URL is https: the cookie never travels in clear
    expect(attributes).toContain('Secure');
    // only the token's hash is stored
    const token = pair.slice('ew4e_session='.length);
    const stored = await t.platform.services.database.db.selectFrom('user_session').select('id').execute();
    expect(stored.map((s) => s.id)).not.toContain(token);
  });

  it('refuses a wrong password, an unknown e-mail and a user without a password with the same 401', async () => {
    const attempts = [
      { email: 'analyst@example.org', password: 'wrong password!' },
      { email: 'nobody@example.org', password: PASSWORD },
      { email: 'nopassword@example.org', password: PASSWORD },
    ];
    for (const body of attempts) {
      const r = await t.request('POST', '/auth/login', { key: null, body });
      expect(r.statusCode, body.email).toBe(401);
      expect(r.json().code).toBe('EW4E_UNAUTHENTICATED');
      expect(r.json().detail).toBe('e-mail or password is wrong');
      expect(r.headers['set-cookie']).toBeUndefined();
    }
  });

  it('tells the signed-in user who they are, with the CSRF token after a reload; 401 without a session', async () => {
    const session = await signIn('viewer@example.org');
    const me = await t.request('GET', '/auth/me', { key: null, headers: { cookie: session.cookie } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual(session.body);
    expect((await t.request('GET', '/auth/me', { key: null })).statusCode).toBe(401);
    const forged = await t.request('GET', '/auth/me', {
      key: null,
      headers: { cookie: 'ew4e_session=forged' },
    });
    expect(forged.statusCode).toBe(401);
  });

  it('authenticates API reads by cookie alone, and changes only with the right X-CSRF-Token', async () => {
    const session = await signIn('analyst@example.org');
    const read = await t.request('GET', '/v1/incidents', { key: null, headers: { cookie: session.cookie } });
    expect(read.statusCode, read.body).toBe(200);

    const body = { title: 'Smoke over Mirpur' };
    const without = await t.request('POST', '/v1/incidents', {
      key: null,
      body,
      headers: { cookie: session.cookie },
    });
    expect(without.statusCode).toBe(403);
    expect(without.json()).toMatchObject({
      code: 'EW4E_FORBIDDEN',
      detail: 'the CSRF token is missing or wrong',
    });
    const wrong = await t.request('POST', '/v1/incidents', {
      key: null,
      body,
      headers: { cookie: session.cookie, 'x-csrf-token': `${session.csrf.slice(0, -1)}x` },
    });
    expect(wrong.statusCode).toBe(403);
    // another session's token does not do either
    const other = await signIn('analyst@example.org');
    const crossed = await t.request('POST', '/v1/incidents', {
      key: null,
      body,
      headers: { cookie: session.cookie, 'x-csrf-token': other.csrf },
    });
    expect(crossed.statusCode).toBe(403);

    const ok = await t.request('POST', '/v1/incidents', {
      key: null,
      body,
      headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
    });
    expect(ok.statusCode, ok.body).toBe(201);
    // the timeline names the user, not a key
    expect(ok.json().created_by).toBe('analyst user');
    expect(ok.json().timeline[0]).toMatchObject({ kind: 'created', actor: 'analyst user' });

    // an API key needs no CSRF token
    const byKey = await t.request('POST', '/v1/incidents', { key: f.key, body });
    expect(byKey.statusCode).toBe(201);
  });

  it("holds a session to its user's role: a viewer reads incidents but cannot change them", async () => {
    const incident = await t.request('POST', '/v1/incidents', {
      key: f.key,
      body: { title: 'Flooded road' },
    });
    expect(incident.statusCode).toBe(201);
    const id = incident.json().id as number;
    const viewer = await signIn('viewer@example.org');
    const headers = { cookie: viewer.cookie, 'x-csrf-token': viewer.csrf };
    expect((await t.request('GET', `/v1/incidents/${id}`, { key: null, headers })).statusCode).toBe(200);
    const patch = await t.request('PATCH', `/v1/incidents/${id}`, {
      key: null,
      headers,
      body: { status: 'monitoring' },
    });
    expect(patch.statusCode).toBe(403);
    expect(patch.json().detail).toBe('this action needs the role "analyst"; your role is "viewer"');
  });

  it('signs out: the session ends at once and the cookie is cleared; an expired session is refused', async () => {
    const session = await signIn('analyst@example.org');
    const headers = { cookie: session.cookie };
    expect((await t.request('POST', '/auth/logout', { key: null, headers })).statusCode).toBe(403);
    const out = await t.request('POST', '/auth/logout', {
      key: null,
      headers: { ...headers, 'x-csrf-token': session.csrf },
    });
    expect(out.statusCode).toBe(204);
    const cleared = sessionCookie(out.headers);
    expect(cleared.pair).toBe('ew4e_session=');
    expect(cleared.attributes.some((a) => a.startsWith('Expires=Thu, 01 Jan 1970'))).toBe(true);
    expect((await t.request('GET', '/auth/me', { key: null, headers })).statusCode).toBe(401);
    const after = await t.request('GET', '/v1/incidents', { key: null, headers });
    expect(after.statusCode).toBe(401);
    expect(after.json().detail).toBe('the session has ended; sign in again');

    const stale = await signIn('analyst@example.org');
    await t.platform.services.database.db
      .updateTable('user_session')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .execute();
    const expired = await t.request('GET', '/v1/incidents', { key: null, headers: { cookie: stale.cookie } });
    expect(expired.statusCode).toBe(401);
    expect(
      (await t.request('GET', '/auth/me', { key: null, headers: { cookie: stale.cookie } })).statusCode,
    ).toBe(401);
  });

  it('asks for a key or a sign-in when a protected route gets neither', async () => {
    const r = await t.request('GET', '/v1/incidents', { key: null });
    expect(r.statusCode).toBe(401);
    expect(r.json().detail).toContain('POST /auth/login');
  });
});
