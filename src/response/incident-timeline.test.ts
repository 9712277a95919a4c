import { describe, expect, it } from 'vitest';
import {
  incidentChanges,
  incidentTitleOf,
  type TaskState,
  taskChanges,
  taskCreated,
} from './incident-timeline.ts';

const task: TaskState = {
  id: 7,
  title: 'Send a crew',
  status: 'todo',
  assignee: null,
  dueAtMs: null,
};

describe('incident timeline', () => {
  it('titles an incident with the English headline, else the first, else the fallback', () => {
    const fr = { language: 'fr', headline: 'Pollution de l’air' };
    const en = { language: 'en', headline: 'Air pollution in Dhaka' };
    expect(incidentTitleOf([fr, en], 'x')).toBe('Air pollution in Dhaka');
    expect(incidentTitleOf([fr], 'x')).toBe('Pollution de l’air');
    expect(incidentTitleOf([], 'air_pollution: Dhaka')).toBe('air_pollution: Dhaka');
    expect(incidentTitleOf([{ language: 'en', headline: 'h'.repeat(300) }], 'x')).toHaveLength(200);
  });

  it('records only what changed, status before title', () => {
    expect(incidentChanges({ status: 'open', title: 'a' }, { status: 'open', title: 'a' })).toEqual([]);
    expect(
      incidentChanges({ status: 'open', title: 'a' }, { status: 'closed', title: 'b' }).map((e) => e.kind),
    ).toEqual(['status_changed', 'title_changed']);
  });

  it('records a task change per field: status, assignee, due time', () => {
    const rahima = { id: 3, name: 'Rahima Khatun' };
    const entries = taskChanges(task, { ...task, status: 'doing', assignee: rahima, dueAtMs: 0 });
    expect(entries.map((e) => e.kind)).toEqual(['task_status', 'task_assigned', 'task_due']);
    expect(entries[1]?.text).toBe('Task "Send a crew" assigned to Rahima Khatun');
    expect(entries[2]?.details).toEqual({ task_id: 7, due_at: '1970-01-01T00:00:00.000Z' });
    expect(taskChanges({ ...task, assignee: rahima }, task)[0]?.text).toBe('Task "Send a crew" unassigned');
    expect(taskChanges(task, { ...task })).toEqual([]);
  });

  it('names the assignee and due time of a new task', () => {
    const entry = taskCreated({ ...task, assignee: { id: 3, name: 'Rahima' }, dueAtMs: 3_600_000 });
    expect(entry.text).toBe('Task "Send a crew" created, for Rahima, due 1970-01-01T01:00:00.000Z');
    expect(entry.details).toEqual({
      task_id: 7,
      title: 'Send a crew',
      assignee_user_id: 3,
      due_at: '1970-01-01T01:00:00.000Z',
    });
  });
});
