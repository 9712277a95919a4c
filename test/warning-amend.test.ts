/**
 * An approver's CAP Update of a standing warning (POST /v1/warnings/:id/amend): a correction and an extension
 * published at once as version 2 referencing version 1; a raised level re-writes the words; a level below the
 * live evidence, a version awaiting review, an edit that changes nothing and a closed thread are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishedCap } from './support/published-cap.ts';
import { BACKENDS } from './support/test-database.ts';
import {
  type Fixture,
  publishSevereWarning,
  registerFixture,
  startTestPlatform,
  type TestPlatform,
} from './support/test-platform.ts';

describe.each(BACKENDS)('amending a published warning on %s', (backend) => {
  let t: TestPlatform;
  let f: Fixture;
  let approver: string;
  let approverId: number;
  let threadId: number;
  beforeAll(async () => {
    t = await startTestPlatform(backend);
    f = await registerFixture(t, 'am', 'BD');
    const key = await t.request('POST', '/v1/keys', {
      body: { name: 'duty approver', role: 'approver', organisation_id: f.orgId },
    });
    approver = key.json().key;
    approverId = key.json().id;
    await publishSevereWarning(t, f, { dedupeKey: `amend:${f.orgId}` });
    const list = await t.request('GET', '/v1/warnings', { key: f.key });
    threadId = list.json().items[0].id;
  }, 60_000);
  afterAll(async () => t?.close());

  const amend = (body: Record<string, unknown>, key = approver) =>
    t.request('POST', `/v1/warnings/${threadId}/amend`, { key, body });
  const thread = async () => (await t.request('GET', `/v1/warnings/${threadId}`, { key: f.key })).json();
  const capOf = async (identifier: string) => (await publishedCap(t, identifier)).alert;

  it('publishes a correction and an extension as a CAP Update referencing the standing version', async () => {
    const before = await thread();
    expect(before.versions.map((v: { status: string }) => v.status)).toEqual(['published']);
    const v1 = before.versions[0];
    const english = v1.texts.find((x: { language: string }) => x.language === 'en');
    const expires = new Date(Date.parse(v1.expires) + 6 * 3_600_000);
    expires.setUTCMilliseconds(0);
    const body = {
      texts: [{ ...english, instruction: 'Keep windows closed. Schools in Old Dhaka stay shut today.' }],
      expires: expires.toISOString(),
      reason: 'the city closed the schools',
    };

    expect((await amend(body, f.key)).statusCode).toBe(403); // an analyst may not publish

    const r = await amend(body);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({ published: true, version: 2 });

    const after = await thread();
    expect(after.versions.map((v: { status: string }) => v.status)).toEqual(['published', 'published']);
    const v2 = after.versions[1];
    expect(v2).toMatchObject({ version: 2, msg_type: 'Update', severity: 'Severe' });
    expect(Date.parse(v2.expires)).toBe(expires.getTime());

    const alert = await capOf(v2.identifier);
    expect(alert.msgType).toBe('Update');
    expect(alert.references.map((x) => x.identifier)).toEqual([v1.identifier]);
    const info = alert.info.find((i) => i.language.startsWith('en'));
    expect(info?.instruction).toBe(body.texts[0]!.instruction);
    expect(Date.parse(info!.expires!)).toBe(expires.getTime());
    // The other languages keep the standing words.
    const french = (lang: { texts: { language: string; instruction: string }[] }) =>
      lang.texts.find((x) => x.language === 'fr')?.instruction;
    expect(french(v2)).toBe(french(v1));

    const audit = (await t.request('GET', `/v1/warnings/${threadId}/audit`, { key: f.key })).json().items;
    const amended = audit.find((a: { action: string }) => a.action === 'amended');
    expect(amended.actor).toBe(`key:${approverId}`);
    expect(amended.changes.reason).toBe(body.reason);
    expect(amended.changes.expires.to).toBe(expires.toISOString());
  });

  it('re-writes the words when the approver raises the level, and refuses a level below the evidence', async () => {
    const lower = await amend({ levels: { severity: 'Minor' }, reason: 'looks calmer' });
    expect(lower.statusCode).toBe(409);
    expect(lower.json().detail).toMatch(/live evidence stands at Severe/);

    const standing = (await thread()).versions.at(-1);
    const r = await amend({ levels: { severity: 'Extreme' }, reason: 'hospital admissions doubled' });
    expect(r.statusCode, r.body).toBe(200);
    const raised = (await thread()).versions.at(-1);
    expect(raised).toMatchObject({
      version: 3,
      msg_type: 'Update',
      severity: 'Extreme',
      status: 'published',
    });
    const headline = (v: { texts: { language: string; headline: string }[] }) =>
      v.texts.find((x) => x.language === 'en')?.headline;
    expect(headline(raised)).not.toBe(headline(standing));
    expect((await capOf(raised.identifier)).info[0]?.severity).toBe('Extreme');
  });

  it('refuses edits that change nothing and an expiry in the past, with the field named', async () => {
    const same = await amend({ reason: 'no change' });
    expect(same.statusCode).toBe(400);
    expect(same.json().detail).toMatch(/change nothing/);
    const past = await amend({ expires: '2020-01-01T00:00:00Z', reason: 'oops' });
    expect(past.statusCode).toBe(400);
    expect(past.body).toMatch(/expires/);
    expect((await amend({ levels: { severity: 'Extreme' } })).statusCode).toBe(400); // no reason
  });

  it('refuses an Update of a cancelled warning', async () => {
    const cancelled = await t.request('POST', `/v1/warnings/${threadId}/cancel`, {
      key: approver,
      body: { reason: 'episode over' },
    });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    const r = await amend({ levels: { severity: 'Extreme' }, area_desc: 'Old Dhaka', reason: 'late' });
    expect(r.statusCode).toBe(409);
    expect(r.json().detail).toMatch(/closed/);
  });
});
