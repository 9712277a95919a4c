/** Rapid response: incidents opened from warnings (one live incident per warning), tasks, notes and the timeline, scoped per organisation. */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openIncident, warningForIncident } from '../src/store/incident.repository.ts';
import { BACKENDS } from './support/test-database.ts';
import {
  type Fixture,
  publishSevereWarning,
  registerFixture,
  startTestPlatform,
  type TestPlatform,
} from './support/test-platform.ts';

describe.each(BACKENDS)('incidents on %s', (backend) => {
  let t: TestPlatform;
  let f: Fixture;
  let other: Fixture;
  let threadId: number;
  let headline: string;
  let identifier: string;
  const users: Record<string, number> = {};

  /** A Severe PM2.5 warning of the fixture's organisation, published at once by its rule. */
  async function publishedWarning(fixture: Fixture): Promise<number> {
    const nowMs = Date.now();
    await publishSevereWarning(t, fixture, { nowMs, dedupeKey: `incident-test:${fixture.orgId}:${nowMs}` });
    const [thread] = (await t.request('GET', '/v1/warnings', { key: fixture.key })).json().items;
    expect(thread.current.status).toBe('published');
    return thread.id;
  }

  async function createUser(fixture: Fixture, email: string, name: string, role = 'analyst') {
    const r = await t.request('POST', '/v1/users', {
      body: { email, name, role, organisation_id: fixture.orgId },
    });
    expect(r.statusCode, r.body).toBe(201);
    users[email] = r.json().id;
  }

  beforeAll(async () => {
    t = await startTestPlatform(backend);
    f = await registerFixture(t, 'bd', 'BD');
    other = await registerFixture(t, 'ke', 'KE');
    threadId = await publishedWarning(f);
    const thread = (await t.request('GET', `/v1/warnings/${threadId}`, { key: f.key })).json();
    const current = thread.versions.at(-1);
    headline = current.texts.find((x: { language: string }) => x.language === 'en').headline;
    identifier = current.identifier;
    await createUser(f, 'rahima@example.org', 'Rahima Khatun');
    await createUser(f, 'karim@example.org', 'Karim Uddin', 'viewer');
    await createUser(other, 'wanjiru@example.org', 'Wanjiru Kamau');
  }, 60_000);
  afterAll(async () => t?.close());

  it('opens an incident from a warning (its headline and severity), and a second click returns the same one', async () => {
    const first = await t.request('POST', '/v1/incidents', { key: f.key, body: { warning_id: threadId } });
    expect(first.statusCode, first.body).toBe(201);
    const incident = first.json();
    expect(incident).toMatchObject({
      organisation_id: f.orgId,
      title: headline,
      status: 'open',
      severity: 'Severe',
      created_by: expect.stringMatching(/^key:\d+$/),
      closed_at: null,
      warning: {
        id: threadId,
        hazard: 'air_pollution',
        status: 'open',
        identifier,
        severity: 'Severe',
        headline,
      },
      task_counts: { open: 0, done: 0 },
      tasks: [],
    });
    expect(incident.timeline).toEqual([
      expect.objectContaining({
        kind: 'created',
        details: expect.objectContaining({ warning_id: threadId }),
      }),
    ]);

    const again = await t.request('POST', '/v1/incidents', {
      key: f.key,
      body: { warning_id: threadId, title: 'another title' },
    });
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(incident.id);
    expect(again.json().title).toBe(headline);

    const listed = await t.request('GET', '/v1/incidents?status=open', { key: f.key });
    expect(listed.json().items.map((i: { id: number }) => i.id)).toContain(incident.id);
    expect((await t.request('GET', '/v1/incidents?status=closed', { key: f.key })).json().items).toEqual([]);
  });

  it('records tasks, assignments, status changes and notes on the timeline in order, by actor', async () => {
    const opened = await t.request('POST', '/v1/incidents', { key: f.key, body: { title: 'Landfill fire' } });
    expect(opened.statusCode).toBe(201);
    expect(opened.json().warning).toBeNull();
    const id = opened.json().id as number;
    const dueAt = new Date(Date.now() + 2 * 3_600_000);

    const created = await t.request('POST', `/v1/incidents/${id}/tasks`, {
      key: f.key,
      body: {
        title: 'Send a crew',
        assignee_user_id: users['rahima@example.org'],
        due_at: dueAt.toISOString(),
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const task = created.json().tasks[0];
    expect(task).toMatchObject({
      title: 'Send a crew',
      status: 'todo',
      assignee_user_id: users['rahima@example.org'],
      assignee_name: 'Rahima Khatun',
      due_at: dueAt.toISOString(),
      done_at: null,
    });

    const patchTask = (body: unknown) =>
      t.request('PATCH', `/v1/incidents/${id}/tasks/${task.id}`, { key: f.key, body });
    expect((await patchTask({ status: 'doing' })).statusCode).toBe(200);
    const reassigned = await patchTask({ assignee_user_id: users['karim@example.org'], due_at: null });
    expect(reassigned.statusCode, reassigned.body).toBe(200);
    expect(reassigned.json().tasks[0]).toMatchObject({ assignee_name: 'Karim Uddin', due_at: null });
    const done = await patchTask({ status: 'done', assignee_user_id: null });
    expect(done.json().tasks[0].done_at).not.toBeNull();
    expect(done.json().task_counts).toEqual({ open: 0, done: 1 });
    // nothing changes, nothing is recorded
    expect((await patchTask({ status: 'done' })).json().timeline).toHaveLength(done.json().timeline.length);

    const note = await t.request('POST', `/v1/incidents/${id}/notes`, {
      key: f.key,
      body: { text: 'Fire brigade on site.' },
    });
    expect(note.statusCode).toBe(201);
    const monitoring = await t.request('PATCH', `/v1/incidents/${id}`, {
      key: f.key,
      body: { status: 'monitoring', title: 'Landfill fire at Matuail' },
    });
    expect(monitoring.statusCode).toBe(200);
    const closed = await t.request('PATCH', `/v1/incidents/${id}`, {
      key: f.key,
      body: { status: 'closed' },
    });
    expect(closed.json()).toMatchObject({ status: 'closed', title: 'Landfill fire at Matuail' });
    expect(closed.json().closed_at).not.toBeNull();

    const detail = (await t.request('GET', `/v1/incidents/${id}`, { key: f.key })).json();
    expect(detail.timeline.map((e: { kind: string }) => e.kind)).toEqual([
      'created',
      'task_created',
      'task_status',
      'task_assigned',
      'task_due',
      'task_status',
      'task_assigned',
      'note',
      'status_changed',
      'title_changed',
      'status_changed',
    ]);
    expect(detail.timeline[1]).toMatchObject({
      text: expect.stringContaining('Rahima Khatun'),
      details: { task_id: task.id, assignee_user_id: users['rahima@example.org'] },
    });
    expect(detail.timeline[3].text).toBe('Task "Send a crew" assigned to Karim Uddin');
    expect(detail.timeline[7]).toMatchObject({ kind: 'note', text: 'Fire brigade on site.' });
    expect(detail.timeline[10].details).toEqual({ from: 'monitoring', to: 'closed' });
    const ids = detail.timeline.map((e: { id: number }) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(detail.timeline.map((e: { actor: string }) => e.actor))).toEqual(
      new Set([opened.json().created_by]),
    );
  });

  it('refuses a task for someone who cannot see the incident, an incident without warning or title, and a long note', async () => {
    const id = (await t.request('POST', '/v1/incidents', { key: f.key, body: { title: 'Oil spill' } })).json()
      .id;
    const foreign = await t.request('POST', `/v1/incidents/${id}/tasks`, {
      key: f.key,
      body: { title: 'Boom the river', assignee_user_id: users['wanjiru@example.org'] },
    });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().errors[0].pointer).toBe('/assignee_user_id');
    const missing = await t.request('POST', `/v1/incidents/${id}/tasks`, {
      key: f.key,
      body: { title: 'Boom the river', assignee_user_id: 999_999 },
    });
    expect(missing.statusCode).toBe(400);

    const untitled = await t.request('POST', '/v1/incidents', { key: f.key, body: {} });
    expect(untitled.statusCode).toBe(400);
    expect(untitled.json().errors[0].pointer).toBe('/title');
    const long = await t.request('POST', `/v1/incidents/${id}/notes`, {
      key: f.key,
      body: { text: 'x'.repeat(4001) },
    });
    expect(long.statusCode).toBe(400);
    const badDue = await t.request('POST', `/v1/incidents/${id}/tasks`, {
      key: f.key,
      body: { title: 'x', due_at: 'tomorrow' },
    });
    expect(badDue.statusCode).toBe(400);
  });

  it('lists the users a task may be given to: those of your organisations who can see the incident', async () => {
    const r = await t.request('GET', '/v1/assignees', { key: f.key });
    expect(r.statusCode).toBe(200);
    expect(r.json().items).toEqual([
      { id: users['karim@example.org'], name: 'Karim Uddin', role: 'viewer', organisation_id: f.orgId },
      { id: users['rahima@example.org'], name: 'Rahima Khatun', role: 'analyst', organisation_id: f.orgId },
    ]);
    const id = (await t.request('GET', '/v1/incidents', { key: f.key })).json().items[0].id;
    const seeing = await t.request('GET', `/v1/assignees?incident_id=${id}`, { key: f.key });
    expect(seeing.json().items).toHaveLength(2);
  });

  it('shows another organisation nothing: 404 on every incident route', async () => {
    const id = (
      await t.request('POST', '/v1/incidents', { key: f.key, body: { warning_id: threadId } })
    ).json().id as number;
    const taskId = (
      await t.request('POST', `/v1/incidents/${id}/tasks`, { key: f.key, body: { title: 'Inform schools' } })
    ).json().tasks[0].id as number;
    const attempts: [method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown][] = [
      ['GET', `/v1/incidents/${id}`],
      ['PATCH', `/v1/incidents/${id}`, { status: 'closed' }],
      ['POST', `/v1/incidents/${id}/tasks`, { title: 'x' }],
      ['PATCH', `/v1/incidents/${id}/tasks/${taskId}`, { status: 'done' }],
      ['POST', `/v1/incidents/${id}/notes`, { text: 'x' }],
      ['GET', `/v1/assignees?incident_id=${id}`],
      ['POST', '/v1/incidents', { warning_id: threadId }],
    ];
    for (const [method, url, body] of attempts) {
      const r = await t.request(method, url, { key: other.key, ...(body === undefined ? {} : { body }) });
      expect(r.statusCode, `${method} ${url}`).toBe(404);
      expect(r.json().code).toBe('EW4E_NOT_FOUND');
    }
    expect((await t.request('GET', '/v1/incidents', { key: other.key })).json().items).toEqual([]);
    expect((await t.request('GET', '/v1/assignees', { key: other.key })).json().items).toEqual([
      expect.objectContaining({ name: 'Wanjiru Kamau' }),
    ]);
    // nothing of it changed
    const detail = (await t.request('GET', `/v1/incidents/${id}`, { key: f.key })).json();
    expect(detail.status).toBe('open');
    expect(detail.tasks).toHaveLength(1);
    // a task id of another incident is not this incident's
    const second = (
      await t.request('POST', '/v1/incidents', { key: f.key, body: { title: 'Unrelated' } })
    ).json();
    const crossed = await t.request('PATCH', `/v1/incidents/${second.id}/tasks/${taskId}`, {
      key: f.key,
      body: { status: 'done' },
    });
    expect(crossed.statusCode).toBe(404);
  });

  it('keeps one live incident per warning when two open it at once; a closed one may be followed by a new one', async () => {
    const live = (
      await t.request('POST', '/v1/incidents', { key: f.key, body: { warning_id: threadId } })
    ).json();
    expect(
      (await t.request('PATCH', `/v1/incidents/${live.id}`, { key: f.key, body: { status: 'closed' } }))
        .statusCode,
    ).toBe(200);
    const replies = await Promise.all(
      [1, 2, 3].map(() => t.request('POST', '/v1/incidents', { key: f.key, body: { warning_id: threadId } })),
    );
    expect(replies.map((r) => r.statusCode).sort()).toEqual([200, 200, 201]);
    const ids = new Set(replies.map((r) => r.json().id));
    expect(ids.size).toBe(1);
    expect(ids.has(live.id)).toBe(false);
    // reopening the closed one now would make two live incidents of one warning
    const reopen = await t.request('PATCH', `/v1/incidents/${live.id}`, {
      key: f.key,
      body: { status: 'open' },
    });
    expect(reopen.statusCode).toBe(409);
  });

  // Only PostgreSQL has a second connection with which to hold the winner's insert open.
  it.runIf(backend === 'postgres')(
    "gives the loser of a race for a warning's incident the winner's (the unique index decides)",
    async () => {
      const thread = await publishedWarning(other);
      const warning = await warningForIncident(t.platform.services.database.db, thread);
      const location = t.testDatabase.location as { databaseUrl: string };
      const winner = new pg.Client({ connectionString: location.databaseUrl });
      await winner.connect();
      try {
        await winner.query('begin');
        const inserted = await winner.query<{ id: string }>(
          `insert into incident (organisation_id, warning_thread_id, title, status, created_by)
           values ($1, $2, 'winner', 'open', 'test') returning id`,
          [other.orgId, thread],
        );
        // It sees no live incident yet, so it inserts, and waits on the index for the winner's outcome.
        const loser = openIncident(t.platform.services.database.db, {
          organisationId: other.orgId,
          warning: warning!,
          title: 'loser',
          actor: 'test',
        });
        await new Promise((resolve) => setTimeout(resolve, 300));
        await winner.query('commit');
        expect(await loser).toEqual({ id: Number(inserted.rows[0]?.id), created: false });
      } finally {
        await winner.end();
      }
    },
  );
});
