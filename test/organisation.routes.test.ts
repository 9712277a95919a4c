import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../src/registry/password.ts';
import { BACKENDS } from './support/test-database.ts';
import { startTestPlatform, type TestPlatform } from './support/test-platform.ts';

for (const backend of BACKENDS) {
  describe(`organisations, keys and users [${backend}]`, () => {
    let t: TestPlatform;
    let globalId: number;
    let serial = 0;

    beforeAll(async () => {
      t = await startTestPlatform(backend);
      globalId = t.platform.services.globalOrganisationId;
    });
    afterAll(async () => {
      await t?.close();
    });

    /** Codes are unique across the installation, so every test makes its own. */
    function code(stem: string): string {
      serial += 1;
      return `${stem}-${serial}`;
    }

    async function country(iso: string, key?: string) {
      const r = await t.request('POST', '/v1/organisations', {
        ...(key === undefined ? {} : { key }),
        body: { kind: 'country', code: code(iso.toLowerCase()), name: `Country ${iso}`, iso_code: iso },
      });
      expect(r.statusCode, r.body).toBe(201);
      return r.json() as { id: number; code: string; parent_id: number };
    }

    async function city(parentId: number, iso: string, key?: string) {
      const r = await t.request('POST', '/v1/organisations', {
        ...(key === undefined ? {} : { key }),
        body: { parent_id: parentId, kind: 'city', code: code('city'), name: 'A city', iso_code: iso },
      });
      expect(r.statusCode, r.body).toBe(201);
      return r.json() as { id: number; code: string; parent_id: number };
    }

    async function keyFor(organisationId: number, role: string, by?: string) {
      const r = await t.request('POST', '/v1/keys', {
        ...(by === undefined ? {} : { key: by }),
        body: { name: `${role} key`, role, organisation_id: organisationId },
      });
      expect(r.statusCode, r.body).toBe(201);
      return r.json() as {
        id: number;
        key: string;
        prefix: string;
        role: string;
        organisation_id: number;
        name: string;
      };
    }

    describe('the organisation tree', () => {
      it('places a country under global and a city under the country', async () => {
        const bd = await country('BD');
        expect(bd).toMatchObject({ parent_id: globalId, kind: 'country', iso_code: 'BD' });
        const dhaka = await city(bd.id, 'BD-13');
        expect(dhaka).toMatchObject({ parent_id: bd.id, kind: 'city', iso_code: 'BD-13' });
        expect(Number.isNaN(Date.parse((dhaka as unknown as { created_at: string }).created_at))).toBe(false);

        const one = await t.request('GET', `/v1/organisations/${dhaka.id}`);
        expect(one.statusCode).toBe(200);
        expect(one.json()).toEqual(dhaka);
      });

      it('refuses a city under a city, and says why', async () => {
        const bd = await country('BD');
        const dhaka = await city(bd.id, 'BD-13');
        const r = await t.request('POST', '/v1/organisations', {
          body: { parent_id: dhaka.id, kind: 'city', code: code('district'), name: 'Too deep' },
        });
        expect(r.statusCode).toBe(400);
        expect(r.json().code).toBe('EW4E_BAD_REQUEST');
        expect(r.json().errors).toEqual([
          expect.objectContaining({
            pointer: '/parent_id',
            reason: expect.stringMatching(/city cannot have/),
          }),
        ]);
      });

      it('refuses a city directly under global', async () => {
        const r = await t.request('POST', '/v1/organisations', {
          body: { kind: 'city', code: code('city'), name: 'Orphan' },
        });
        expect(r.statusCode).toBe(400);
        expect(r.json().errors).toEqual([
          expect.objectContaining({ pointer: '/kind', reason: expect.stringMatching(/must be a country/) }),
        ]);
      });

      it('refuses a malformed ISO code, and a city code from another country', async () => {
        for (const iso of ['BGD', 'B1', '50']) {
          const r = await t.request('POST', '/v1/organisations', {
            body: { kind: 'country', code: code('bad'), name: 'Bad', iso_code: iso },
          });
          expect(r.statusCode, iso).toBe(400);
          expect(r.json().errors, iso).toEqual([expect.objectContaining({ pointer: '/iso_code' })]);
        }
        const bd = await country('BD');
        const r = await t.request('POST', '/v1/organisations', {
          body: { parent_id: bd.id, kind: 'city', code: code('mumbai'), name: 'Mumbai', iso_code: 'IN-MH' },
        });
        expect(r.statusCode).toBe(400);
        expect(r.json().errors).toEqual([
          expect.objectContaining({ pointer: '/iso_code', reason: expect.stringMatching(/BD/) }),
        ]);
      });

      it('accepts a lower-case ISO code as its upper-case self', async () => {
        const r = await t.request('POST', '/v1/organisations', {
          body: { kind: 'country', code: code('np'), name: 'Nepal', iso_code: 'np' },
        });
        expect(r.statusCode).toBe(201);
        expect(r.json().iso_code).toBe('NP');
      });

      it('answers a duplicate code with 409, not 500', async () => {
        const body = { kind: 'country', code: code('dup'), name: 'Duplicate', iso_code: 'LK' };
        expect((await t.request('POST', '/v1/organisations', { body })).statusCode).toBe(201);
        const again = await t.request('POST', '/v1/organisations', { body });
        expect(again.statusCode).toBe(409);
        expect(again.json()).toMatchObject({
          code: 'EW4E_CONFLICT',
          detail: `organisation "${body.code}" already exists`,
        });
      });

      it('refuses unknown fields and a global kind', async () => {
        const extra = await t.request('POST', '/v1/organisations', {
          body: { kind: 'country', code: code('x'), name: 'X', colour: 'blue' },
        });
        expect(extra.statusCode).toBe(400);
        const global = await t.request('POST', '/v1/organisations', {
          body: { kind: 'global', code: code('g'), name: 'G' },
        });
        expect(global.statusCode).toBe(400);
      });

      it("lists the caller's organisation and those below it, never its parent or siblings", async () => {
        const bd = await country('BD');
        const india = await country('IN');
        const dhaka = await city(bd.id, 'BD-13');
        const viewer = await keyFor(bd.id, 'viewer');
        const r = await t.request('GET', '/v1/organisations', { key: viewer.key });
        expect(r.statusCode).toBe(200);
        const ids = (r.json().items as { id: number }[]).map((o) => o.id);
        expect(ids.sort((a, b) => a - b)).toEqual([bd.id, dhaka.id].sort((a, b) => a - b));
        expect(
          (await t.request('GET', `/v1/organisations/${globalId}`, { key: viewer.key })).statusCode,
        ).toBe(404);
        expect(
          (await t.request('GET', `/v1/organisations/${india.id}`, { key: viewer.key })).statusCode,
        ).toBe(404);

        const all = await t.request('GET', '/v1/organisations');
        const allIds = (all.json().items as { id: number }[]).map((o) => o.id);
        expect(allIds).toEqual(expect.arrayContaining([globalId, bd.id, india.id, dhaka.id]));
      });

      it('lets a country admin create a city below its country, but nothing below a sibling', async () => {
        const bd = await country('BD');
        const india = await country('IN');
        const admin = await keyFor(bd.id, 'admin');
        const byDefault = await t.request('POST', '/v1/organisations', {
          key: admin.key,
          body: { kind: 'city', code: code('chattogram'), name: 'Chattogram', iso_code: 'BD-10' },
        });
        expect(byDefault.statusCode).toBe(201);
        expect(byDefault.json().parent_id).toBe(bd.id);
        const elsewhere = await t.request('POST', '/v1/organisations', {
          key: admin.key,
          body: { parent_id: india.id, kind: 'city', code: code('delhi'), name: 'Delhi', iso_code: 'IN-DL' },
        });
        expect(elsewhere.statusCode).toBe(404);
      });
    });

    describe('API keys', () => {
      it('lets an analyst key of a country neither list keys (403) nor see a sibling country (404)', async () => {
        const bd = await country('BD');
        const india = await country('IN');
        const analyst = await keyFor(bd.id, 'analyst');
        expect(analyst).toMatchObject({ role: 'analyst', organisation_id: bd.id, name: 'analyst key' });
        expect(analyst.key.startsWith(analyst.prefix)).toBe(true);

        const keys = await t.request('GET', '/v1/keys', { key: analyst.key });
        expect(keys.statusCode).toBe(403);
        expect(keys.json().code).toBe('EW4E_FORBIDDEN');
        expect(
          (await t.request('GET', `/v1/organisations/${india.id}`, { key: analyst.key })).statusCode,
        ).toBe(404);
        expect((await t.request('GET', `/v1/organisations/${bd.id}`, { key: analyst.key })).statusCode).toBe(
          200,
        );
      });

      it('shuts out a revoked key at once (401), and revoking again changes nothing', async () => {
        const bd = await country('BD');
        const viewer = await keyFor(bd.id, 'viewer');
        expect((await t.request('GET', '/v1/organisations', { key: viewer.key })).statusCode).toBe(200);

        const revoke = await t.request('DELETE', `/v1/keys/${viewer.id}`);
        expect(revoke.statusCode).toBe(204);
        expect(revoke.body).toBe('');
        const after = await t.request('GET', '/v1/organisations', { key: viewer.key });
        expect(after.statusCode).toBe(401);
        expect(after.json().code).toBe('EW4E_UNAUTHENTICATED');

        const listed = await t.request('GET', `/v1/keys?organisation_id=${bd.id}&include_revoked=true`);
        const entry = (listed.json().items as { id: number; revoked_at: string | null }[]).find(
          (k) => k.id === viewer.id,
        );
        const revokedAt = entry?.revoked_at;
        expect(revokedAt).toEqual(expect.any(String));
        expect((await t.request('DELETE', `/v1/keys/${viewer.id}`)).statusCode).toBe(204);
        const again = await t.request('GET', `/v1/keys?organisation_id=${bd.id}&include_revoked=true`);
        expect(
          (again.json().items as { id: number; revoked_at: string | null }[]).find((k) => k.id === viewer.id)
            ?.revoked_at,
        ).toBe(revokedAt);
        const current = await t.request('GET', `/v1/keys?organisation_id=${bd.id}`);
        expect((current.json().items as { id: number }[]).map((k) => k.id)).not.toContain(viewer.id);
      });

      it('never returns a key or its hash from GET /v1/keys', async () => {
        const bd = await country('BD');
        const created = await keyFor(bd.id, 'analyst');
        const r = await t.request('GET', '/v1/keys');
        expect(r.statusCode).toBe(200);
        expect(r.body).not.toContain(created.key);
        expect(r.body).not.toMatch(/secret|hash/i);
        const mine = (r.json().items as Record<string, unknown>[]).find((k) => k.id === created.id);
        expect(mine).toBeDefined();
        expect(Object.keys(mine ?? {}).sort()).toEqual(
          [
            'created_at',
            'id',
            'last_used_at',
            'name',
            'organisation_id',
            'prefix',
            'revoked_at',
            'role',
            'scopes',
          ].sort(),
        );
        expect(mine).toMatchObject({
          prefix: created.prefix,
          role: 'analyst',
          organisation_id: bd.id,
          revoked_at: null,
          scopes: null,
        });
      });

      it('stops a country admin at its own organisation: no key for, list of, or revocation in another country (404)', async () => {
        const bd = await country('BD');
        const india = await country('IN');
        const admin = await keyFor(bd.id, 'admin');
        const indianKey = await keyFor(india.id, 'viewer');

        const create = await t.request('POST', '/v1/keys', {
          key: admin.key,
          body: { name: 'intruder', role: 'viewer', organisation_id: india.id },
        });
        expect(create.statusCode).toBe(404);
        expect(create.json().code).toBe('EW4E_NOT_FOUND');
        expect(
          (await t.request('GET', `/v1/keys?organisation_id=${india.id}`, { key: admin.key })).statusCode,
        ).toBe(404);
        expect((await t.request('DELETE', `/v1/keys/${indianKey.id}`, { key: admin.key })).statusCode).toBe(
          404,
        );
        expect((await t.request('GET', '/v1/organisations', { key: indianKey.key })).statusCode).toBe(200);

        const listed = await t.request('GET', '/v1/keys', { key: admin.key });
        expect(
          (listed.json().items as { organisation_id: number }[]).every((k) => k.organisation_id === bd.id),
        ).toBe(true);

        const own = await t.request('POST', '/v1/keys', {
          key: admin.key,
          body: { name: 'own', role: 'admin' },
        });
        expect(own.statusCode).toBe(201);
        expect(own.json().organisation_id).toBe(bd.id);
      });

      it('refuses every write to a viewer key (403)', async () => {
        const bd = await country('BD');
        const viewer = await keyFor(bd.id, 'viewer');
        const writes = [
          t.request('POST', '/v1/organisations', {
            key: viewer.key,
            body: { kind: 'city', code: code('c'), name: 'C' },
          }),
          t.request('POST', '/v1/keys', { key: viewer.key, body: { name: 'k', role: 'viewer' } }),
          t.request('POST', '/v1/users', {
            key: viewer.key,
            body: { email: 'v@example.org', name: 'V', role: 'viewer' },
          }),
          t.request('DELETE', `/v1/keys/${viewer.id}`, { key: viewer.key }),
        ];
        for (const r of await Promise.all(writes)) {
          expect(r.statusCode, r.body).toBe(403);
          expect(r.json().code).toBe('EW4E_FORBIDDEN');
        }
      });

      it('asks for a key when there is none (401)', async () => {
        const r = await t.platform.server.inject({ method: 'GET', url: '/v1/organisations' });
        expect(r.statusCode).toBe(401);
      });
    });

    describe('users', () => {
      it('stores a password only as an argon2id hash that no reply ever shows', async () => {
        const bd = await country('BD');
        const password = 'a sufficiently long passphrase';
        const created = await t.request('POST', '/v1/users', {
          body: {
            email: `Rahim.${code('u')}@Example.org`,
            name: 'Rahim',
            role: 'analyst',
            organisation_id: bd.id,
            password,
          },
        });
        expect(created.statusCode, created.body).toBe(201);
        const user = created.json() as { id: number; email: string; has_password: boolean };
        expect(user).toMatchObject({ organisation_id: bd.id, role: 'analyst', has_password: true });
        expect(user.email).toBe(user.email.toLowerCase());

        const replies = [
          created,
          await t.request('GET', '/v1/users'),
          await t.request('GET', `/v1/users?organisation_id=${bd.id}`),
          await t.request('GET', `/v1/users/${user.id}`),
        ];
        for (const r of replies) {
          expect(r.statusCode).toBe(r === created ? 201 : 200);
          expect(r.body).not.toContain(password);
          expect(r.body).not.toMatch(/argon2|scrypt|password_hash/);
        }

        const stored = await t.testDatabase.database.db
          .selectFrom('app_user')
          .select('password_hash')
          .where('id', '=', user.id)
          .executeTakeFirstOrThrow();
        expect(stored.password_hash).toMatch(/^\$argon2id\$/);
        expect(await verifyPassword(password, stored.password_hash ?? '')).toBe(true);
        expect(await verifyPassword('a wrong but long passphrase', stored.password_hash ?? '')).toBe(false);
      });

      it('creates a user without a password, and refuses a short one', async () => {
        const bd = await country('BD');
        const without = await t.request('POST', '/v1/users', {
          body: {
            email: `${code('sso')}@example.org`,
            name: 'SSO user',
            role: 'viewer',
            organisation_id: bd.id,
          },
        });
        expect(without.statusCode).toBe(201);
        expect(without.json().has_password).toBe(false);
        const short = await t.request('POST', '/v1/users', {
          body: {
            email: `${code('short')}@example.org`,
            name: 'Short',
            role: 'viewer',
            password: 'elevenchars',
          },
        });
        expect(short.statusCode).toBe(400);
        expect(short.json().errors).toEqual([expect.objectContaining({ pointer: '/password' })]);
      });

      it('answers a second user with the same e-mail, in any case, with 409', async () => {
        const email = `${code('same')}@example.org`;
        const first = await t.request('POST', '/v1/users', {
          body: { email, name: 'First', role: 'viewer' },
        });
        expect(first.statusCode).toBe(201);
        const second = await t.request('POST', '/v1/users', {
          body: { email: email.toUpperCase(), name: 'Second', role: 'viewer' },
        });
        expect(second.statusCode).toBe(409);
        expect(second.json().code).toBe('EW4E_CONFLICT');
      });

      it('keeps a country admin to its own users', async () => {
        const bd = await country('BD');
        const india = await country('IN');
        const admin = await keyFor(bd.id, 'admin');
        const indian = await t.request('POST', '/v1/users', {
          body: {
            email: `${code('in')}@example.org`,
            name: 'Indian user',
            role: 'viewer',
            organisation_id: india.id,
          },
        });
        expect(indian.statusCode).toBe(201);

        const create = await t.request('POST', '/v1/users', {
          key: admin.key,
          body: { email: `${code('x')}@example.org`, name: 'X', role: 'viewer', organisation_id: india.id },
        });
        expect(create.statusCode).toBe(404);
        expect((await t.request('GET', `/v1/users/${indian.json().id}`, { key: admin.key })).statusCode).toBe(
          404,
        );
        const listed = await t.request('GET', '/v1/users', { key: admin.key });
        expect(
          (listed.json().items as { organisation_id: number }[]).every((u) => u.organisation_id === bd.id),
        ).toBe(true);
      });
    });
  });
}
