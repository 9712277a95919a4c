/** @module Rapid response, pure: an incident's and its tasks' statuses, its default title, and the timeline entries that record each change. */

export const INCIDENT_STATUSES = ['open', 'monitoring', 'resolved', 'closed'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export const TASK_STATUSES = ['todo', 'doing', 'done'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const TIMELINE_KINDS = [
  'created',
  'status_changed',
  'title_changed',
  'task_created',
  'task_assigned',
  'task_status',
  'task_due',
  'note',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

/** One line of the timeline before it is stored (the store adds id, time and actor). */
export interface TimelineEntry {
  readonly kind: TimelineKind;
  readonly text: string;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface Person {
  readonly id: number;
  readonly name: string;
}

/** A task as the timeline sees it. */
export interface TaskState {
  readonly id: number;
  readonly title: string;
  readonly status: TaskStatus;
  readonly assignee: Person | null;
  readonly dueAtMs: number | null;
}

const MAX_TITLE_LENGTH = 200;

/** The default title of an incident opened from a warning: its headline in English, else in its first language. */
export function incidentTitleOf(
  texts: readonly { readonly language: string; readonly headline: string }[],
  fallback: string,
): string {
  const headline = (texts.find((t) => t.language === 'en') ?? texts[0])?.headline ?? fallback;
  return headline.slice(0, MAX_TITLE_LENGTH);
}

export function incidentOpened(
  title: string,
  warning: { id: number; identifier: string | null } | null,
): TimelineEntry {
  return warning === null
    ? { kind: 'created', text: `Incident opened: ${title}`, details: { title } }
    : {
        kind: 'created',
        text:
          warning.identifier === null
            ? `Incident opened from warning ${warning.id}: ${title}`
            : `Incident opened from warning ${warning.identifier}: ${title}`,
        details: { title, warning_id: warning.id, identifier: warning.identifier },
      };
}

/** What changing an incident's status or title records; nothing when the values stay the same. */
export function incidentChanges(
  before: { readonly status: IncidentStatus; readonly title: string },
  after: { readonly status: IncidentStatus; readonly title: string },
): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  if (after.status !== before.status) {
    entries.push({
      kind: 'status_changed',
      text: `Status: ${before.status} → ${after.status}`,
      details: { from: before.status, to: after.status },
    });
  }
  if (after.title !== before.title) {
    entries.push({
      kind: 'title_changed',
      text: `Title: ${after.title}`,
      details: { from: before.title, to: after.title },
    });
  }
  return entries;
}

export function taskCreated(task: TaskState): TimelineEntry {
  const parts = [`Task "${task.title}" created`];
  if (task.assignee !== null) parts.push(`for ${task.assignee.name}`);
  if (task.dueAtMs !== null) parts.push(`due ${new Date(task.dueAtMs).toISOString()}`);
  return {
    kind: 'task_created',
    text: parts.join(', '),
    details: {
      task_id: task.id,
      title: task.title,
      assignee_user_id: task.assignee?.id ?? null,
      due_at: task.dueAtMs === null ? null : new Date(task.dueAtMs).toISOString(),
    },
  };
}

/** One entry per changed field of a task, in a fixed order: status, assignee, due time. */
export function taskChanges(before: TaskState, after: TaskState): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  const name = `Task "${after.title}"`;
  if (after.status !== before.status) {
    entries.push({
      kind: 'task_status',
      text: `${name}: ${before.status} → ${after.status}`,
      details: { task_id: after.id, from: before.status, to: after.status },
    });
  }
  if ((after.assignee?.id ?? null) !== (before.assignee?.id ?? null)) {
    entries.push({
      kind: 'task_assigned',
      text: after.assignee === null ? `${name} unassigned` : `${name} assigned to ${after.assignee.name}`,
      details: {
        task_id: after.id,
        from_user_id: before.assignee?.id ?? null,
        assignee_user_id: after.assignee?.id ?? null,
        assignee_name: after.assignee?.name ?? null,
      },
    });
  }
  if (after.dueAtMs !== before.dueAtMs) {
    const due = after.dueAtMs === null ? null : new Date(after.dueAtMs).toISOString();
    entries.push({
      kind: 'task_due',
      text: due === null ? `${name}: no due time` : `${name} due ${due}`,
      details: { task_id: after.id, due_at: due },
    });
  }
  return entries;
}

export function noteAdded(text: string): TimelineEntry {
  return { kind: 'note', text, details: {} };
}
