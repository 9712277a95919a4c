/** @module Incidents: opened from a warning (one live incident per thread) or by hand, their tasks, and the timeline of every change. */
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Role } from '../registry/access.ts';
import {
  type IncidentStatus,
  incidentChanges,
  incidentOpened,
  noteAdded,
  type Person,
  type TaskState,
  type TaskStatus,
  type TimelineEntry,
  type TimelineKind,
  taskChanges,
  taskCreated,
} from '../response/incident-timeline.ts';
import type { Schema } from './schema.ts';
import { isUniqueViolation } from './unique-violation.ts';

const inOrgs = (readable: readonly number[]) => (readable.length > 0 ? [...readable] : [-1]);

/** A warning thread as an incident needs it: whose it is, and what its current version says. */
export interface WarningForIncident {
  readonly id: number;
  readonly organisationId: number;
  readonly hazard: string;
  readonly areaDesc: string;
  /** Of the current version: the latest published one, else the latest of any status; null if it has none. */
  readonly identifier: string | null;
  readonly severity: string | null;
  readonly texts: readonly { readonly language: string; readonly headline: string }[];
}

export interface WarningSummary {
  readonly id: number;
  readonly hazard: string;
  readonly status: 'open' | 'closed';
  readonly area_desc: string;
  readonly identifier: string | null;
  readonly severity: string | null;
  readonly headline: string | null;
}

export interface IncidentView {
  readonly id: number;
  readonly organisation_id: number;
  readonly title: string;
  readonly status: IncidentStatus;
  readonly severity: string | null;
  readonly created_by: string;
  readonly created_at: string;
  readonly updated_at: string;
  readonly closed_at: string | null;
  readonly warning: WarningSummary | null;
  readonly task_counts: { readonly open: number; readonly done: number };
}

export interface TaskView {
  readonly id: number;
  readonly title: string;
  readonly status: TaskStatus;
  readonly assignee_user_id: number | null;
  readonly assignee_name: string | null;
  readonly due_at: string | null;
  readonly created_by: string;
  readonly created_at: string;
  readonly done_at: string | null;
}

export interface TimelineView {
  readonly id: number;
  readonly at: string;
  readonly actor: string;
  readonly kind: TimelineKind;
  readonly text: string | null;
  readonly details: Record<string, unknown>;
}

export interface IncidentDetail extends IncidentView {
  readonly tasks: TaskView[];
  readonly timeline: TimelineView[];
}

/** The current version of each thread: the latest published, else the latest of any status. */
async function currentVersions(db: Kysely<Schema>, threadIds: readonly number[]) {
  if (threadIds.length === 0) return new Map<number, never>();
  const rows = await db
    .selectFrom('warning')
    .distinctOn('thread_id')
    .select([
      'thread_id',
      'identifier',
      'severity',
      sql<{ language: string; headline: string }[]>`content->'texts'`.as('texts'),
    ])
    .where('thread_id', 'in', [...threadIds])
    .orderBy('thread_id')
    .orderBy(sql`status = 'published'`, 'desc')
    .orderBy('version', 'desc')
    .execute();
  return new Map(rows.map((r) => [r.thread_id, r]));
}

export async function warningForIncident(
  db: Kysely<Schema>,
  threadId: number,
): Promise<WarningForIncident | undefined> {
  const thread = await db
    .selectFrom('warning_thread')
    .select(['id', 'organisation_id', 'hazard', 'area_desc'])
    .where('id', '=', threadId)
    .executeTakeFirst();
  if (thread === undefined) return undefined;
  const current = (await currentVersions(db, [thread.id])).get(thread.id);
  return {
    id: thread.id,
    organisationId: thread.organisation_id,
    hazard: thread.hazard,
    areaDesc: thread.area_desc,
    identifier: current?.identifier ?? null,
    severity: current?.severity ?? null,
    texts: current?.texts ?? [],
  };
}

async function liveIncidentOfThread(db: Kysely<Schema>, threadId: number): Promise<number | undefined> {
  const row = await db
    .selectFrom('incident')
    .select('id')
    .where('warning_thread_id', '=', threadId)
    .where('status', '!=', 'closed')
    .executeTakeFirst();
  return row?.id;
}

async function appendTimeline(
  tx: Transaction<Schema>,
  incidentId: number,
  actor: string,
  entries: readonly TimelineEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  await tx
    .insertInto('incident_event')
    .values(
      entries.map((e) => ({
        incident_id: incidentId,
        actor,
        kind: e.kind,
        text: e.text,
        details: JSON.stringify(e.details),
      })),
    )
    .execute();
  await tx.updateTable('incident').set({ updated_at: new Date() }).where('id', '=', incidentId).execute();
}

/**
 * Opens an incident, or for a warning that already has a live (not closed) one, finds that one instead:
 * `created` says which. Two at once for the same warning meet the unique index; the loser returns the winner's.
 */
export async function openIncident(
  db: Kysely<Schema>,
  input: {
    readonly organisationId: number;
    readonly warning: WarningForIncident | null;
    readonly title: string;
    readonly actor: string;
  },
): Promise<{ id: number; created: boolean }> {
  const threadId = input.warning?.id ?? null;
  if (threadId !== null) {
    const live = await liveIncidentOfThread(db, threadId);
    if (live !== undefined) return { id: live, created: false };
  }
  try {
    const id = await db.transaction().execute(async (tx) => {
      const row = await tx
        .insertInto('incident')
        .values({
          organisation_id: input.organisationId,
          warning_thread_id: threadId,
          title: input.title,
          status: 'open',
          severity: input.warning?.severity ?? null,
          created_by: input.actor,
          closed_at: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await appendTimeline(tx, row.id, input.actor, [
        incidentOpened(
          input.title,
          input.warning === null ? null : { id: input.warning.id, identifier: input.warning.identifier },
        ),
      ]);
      return row.id;
    });
    return { id, created: true };
  } catch (error) {
    if (threadId !== null && isUniqueViolation(error)) {
      const live = await liveIncidentOfThread(db, threadId);
      if (live !== undefined) return { id: live, created: false };
    }
    throw error;
  }
}

/** The incident if the caller's organisations may read it. */
export async function incidentOf(db: Kysely<Schema>, id: number, readable: readonly number[]) {
  return db
    .selectFrom('incident')
    .selectAll()
    .where('id', '=', id)
    .where('organisation_id', 'in', inOrgs(readable))
    .executeTakeFirst();
}

type IncidentRow = Awaited<ReturnType<typeof selectIncidents>>[number];

function selectIncidents(
  db: Kysely<Schema>,
  readable: readonly number[],
  where: { id?: number; status?: IncidentStatus },
) {
  let query = db
    .selectFrom('incident as i')
    .selectAll('i')
    .select([
      sql<number>`(select count(*) from incident_task t where t.incident_id = i.id and t.status <> 'done')`.as(
        'tasks_open',
      ),
      sql<number>`(select count(*) from incident_task t where t.incident_id = i.id and t.status = 'done')`.as(
        'tasks_done',
      ),
    ])
    .where('i.organisation_id', 'in', inOrgs(readable));
  if (where.id !== undefined) query = query.where('i.id', '=', where.id);
  if (where.status !== undefined) query = query.where('i.status', '=', where.status);
  return query.orderBy('i.created_at', 'desc').orderBy('i.id', 'desc').limit(500).execute();
}

async function viewsOf(db: Kysely<Schema>, rows: readonly IncidentRow[]): Promise<IncidentView[]> {
  const threadIds = [...new Set(rows.map((r) => r.warning_thread_id).filter((id) => id !== null))];
  const threads =
    threadIds.length === 0
      ? []
      : await db
          .selectFrom('warning_thread')
          .select(['id', 'hazard', 'status', 'area_desc'])
          .where('id', 'in', threadIds)
          .execute();
  const versions = await currentVersions(db, threadIds);
  const summaries = new Map(
    threads.map((t): [number, WarningSummary] => {
      const v = versions.get(t.id);
      const texts = v?.texts ?? [];
      return [
        t.id,
        {
          id: t.id,
          hazard: t.hazard,
          status: t.status,
          area_desc: t.area_desc,
          identifier: v?.identifier ?? null,
          severity: v?.severity ?? null,
          headline: (texts.find((x) => x.language === 'en') ?? texts[0])?.headline ?? null,
        },
      ];
    }),
  );
  return rows.map((r) => ({
    id: r.id,
    organisation_id: r.organisation_id,
    title: r.title,
    status: r.status,
    severity: r.severity,
    created_by: r.created_by,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
    closed_at: r.closed_at?.toISOString() ?? null,
    warning: r.warning_thread_id === null ? null : (summaries.get(r.warning_thread_id) ?? null),
    task_counts: { open: Number(r.tasks_open), done: Number(r.tasks_done) },
  }));
}

/** Incidents of the caller's organisations, newest first (at most 500). */
export async function listIncidents(
  db: Kysely<Schema>,
  f: { readonly readable: readonly number[]; readonly status?: IncidentStatus | undefined },
): Promise<IncidentView[]> {
  const rows = await selectIncidents(db, f.readable, f.status === undefined ? {} : { status: f.status });
  return viewsOf(db, rows);
}

/** One incident with its tasks and its timeline in order; undefined if the caller's organisations may not read it. */
export async function incidentDetail(
  db: Kysely<Schema>,
  id: number,
  readable: readonly number[],
): Promise<IncidentDetail | undefined> {
  const [row] = await selectIncidents(db, readable, { id });
  if (row === undefined) return undefined;
  const [view] = await viewsOf(db, [row]);
  const tasks = await db
    .selectFrom('incident_task as t')
    .leftJoin('app_user as u', 'u.id', 't.assignee_user_id')
    .selectAll('t')
    .select('u.name as assignee_name')
    .where('t.incident_id', '=', id)
    .orderBy('t.id')
    .execute();
  const events = await db
    .selectFrom('incident_event')
    .selectAll()
    .where('incident_id', '=', id)
    .orderBy('id')
    .execute();
  return {
    ...view!,
    tasks: tasks.map((t) => ({
      id: t.id,
      title: t.title,
      status: t.status,
      assignee_user_id: t.assignee_user_id,
      assignee_name: t.assignee_name,
      due_at: t.due_at?.toISOString() ?? null,
      created_by: t.created_by,
      created_at: t.created_at.toISOString(),
      done_at: t.done_at?.toISOString() ?? null,
    })),
    timeline: events.map((e) => ({
      id: e.id,
      at: e.at.toISOString(),
      actor: e.actor,
      // only this module writes the timeline, always with a TimelineKind
      kind: e.kind as TimelineKind,
      text: e.text,
      details: e.details,
    })),
  };
}

/** Changes status and title; closing stamps closed_at, reopening clears it. Each change goes on the timeline. */
export async function changeIncident(
  db: Kysely<Schema>,
  id: number,
  patch: { readonly status?: IncidentStatus | undefined; readonly title?: string | undefined },
  actor: string,
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const before = await tx
      .selectFrom('incident')
      .select(['status', 'title'])
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const after = { status: patch.status ?? before.status, title: patch.title ?? before.title };
    const entries = incidentChanges(before, after);
    if (entries.length === 0) return;
    const closing = after.status === 'closed' && before.status !== 'closed';
    const reopening = after.status !== 'closed' && before.status === 'closed';
    await tx
      .updateTable('incident')
      .set({
        status: after.status,
        title: after.title,
        ...(closing ? { closed_at: new Date() } : reopening ? { closed_at: null } : {}),
      })
      .where('id', '=', id)
      .execute();
    await appendTimeline(tx, id, actor, entries);
  });
}

export async function addTask(
  db: Kysely<Schema>,
  incidentId: number,
  task: { readonly title: string; readonly assignee: Person | null; readonly dueAtMs: number | null },
  actor: string,
): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const row = await tx
      .insertInto('incident_task')
      .values({
        incident_id: incidentId,
        title: task.title,
        assignee_user_id: task.assignee?.id ?? null,
        due_at: task.dueAtMs === null ? null : new Date(task.dueAtMs),
        status: 'todo',
        created_by: actor,
        done_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendTimeline(tx, incidentId, actor, [taskCreated({ id: row.id, status: 'todo', ...task })]);
    return row.id;
  });
}

/**
 * Changes a task's status, assignee or due time (a field left undefined stays); `done` stamps done_at.
 * Returns false when the incident has no such task.
 */
export async function changeTask(
  db: Kysely<Schema>,
  incidentId: number,
  taskId: number,
  patch: {
    readonly status?: TaskStatus | undefined;
    readonly assignee?: Person | null | undefined;
    readonly dueAtMs?: number | null | undefined;
  },
  actor: string,
): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const row = await tx
      .selectFrom('incident_task as t')
      .leftJoin('app_user as u', 'u.id', 't.assignee_user_id')
      .select(['t.id', 't.title', 't.status', 't.assignee_user_id', 'u.name as assignee_name', 't.due_at'])
      .where('t.id', '=', taskId)
      .where('t.incident_id', '=', incidentId)
      .forUpdate('t')
      .executeTakeFirst();
    if (row === undefined) return false;
    const before: TaskState = {
      id: row.id,
      title: row.title,
      status: row.status,
      assignee:
        row.assignee_user_id === null ? null : { id: row.assignee_user_id, name: row.assignee_name ?? '' },
      dueAtMs: row.due_at?.getTime() ?? null,
    };
    const after: TaskState = {
      ...before,
      status: patch.status ?? before.status,
      assignee: patch.assignee === undefined ? before.assignee : patch.assignee,
      dueAtMs: patch.dueAtMs === undefined ? before.dueAtMs : patch.dueAtMs,
    };
    const entries = taskChanges(before, after);
    if (entries.length === 0) return true;
    const finishing = after.status === 'done' && before.status !== 'done';
    const reopening = after.status !== 'done' && before.status === 'done';
    await tx
      .updateTable('incident_task')
      .set({
        status: after.status,
        assignee_user_id: after.assignee?.id ?? null,
        due_at: after.dueAtMs === null ? null : new Date(after.dueAtMs),
        ...(finishing ? { done_at: new Date() } : reopening ? { done_at: null } : {}),
      })
      .where('id', '=', taskId)
      .execute();
    await appendTimeline(tx, incidentId, actor, entries);
    return true;
  });
}

export async function addNote(
  db: Kysely<Schema>,
  incidentId: number,
  text: string,
  actor: string,
): Promise<void> {
  await db.transaction().execute((tx) => appendTimeline(tx, incidentId, actor, [noteAdded(text)]));
}

export interface Assignee {
  readonly id: number;
  readonly name: string;
  readonly role: Role;
  readonly organisation_id: number;
}

/**
 * Users of the caller's organisations; with `seeing` (an incident's organisation), only those who can see it
 * (users of that organisation or of one above it), so that nobody is given a task they cannot read.
 */
export async function assignees(
  db: Kysely<Schema>,
  f: {
    readonly readable: readonly number[];
    readonly seeing?: number | undefined;
    readonly userId?: number | undefined;
  },
): Promise<Assignee[]> {
  let query = db
    .selectFrom('app_user')
    .select(['id', 'name', 'role', 'organisation_id'])
    .where('organisation_id', 'in', inOrgs(f.readable));
  if (f.userId !== undefined) query = query.where('id', '=', f.userId);
  if (f.seeing !== undefined) {
    const above = await sql<{ id: number }>`
      with recursive up(id, parent_id) as (
        select id, parent_id from organisation where id = ${f.seeing}
        union all
        select o.id, o.parent_id from organisation o join up on o.id = up.parent_id
      )
      select id from up`.execute(db);
    query = query.where('organisation_id', 'in', inOrgs(above.rows.map((r) => Number(r.id))));
  }
  return query.orderBy('name').orderBy('id').execute();
}
