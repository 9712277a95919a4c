/** Rapid response: the status board of incidents, and one incident with its tasks and timeline. */
import { useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { ApiError, patch, post } from '../api.ts';
import { ErrorLine, SeverityBadge } from '../components/bits.tsx';
import { useResource } from '../components/use-resource.ts';
import { formatTime, t, type WordKey } from '../i18n.ts';
import { can } from '../session.ts';

interface IncidentSummary {
  id: number;
  title: string;
  status: 'open' | 'monitoring' | 'resolved' | 'closed';
  severity: string | null;
  created_at: string;
  warning_thread_id: number | null;
  tasks?: { open: number; done: number };
}

interface Task {
  id: number;
  title: string;
  status: 'todo' | 'doing' | 'done';
  assignee_user_id: number | null;
  assignee_name?: string | null;
  due_at: string | null;
}

interface IncidentDetail extends Omit<IncidentSummary, 'tasks'> {
  tasks: Task[];
  timeline: { id: number; at: string; actor: string; kind: string; text: string | null }[];
}

const COLUMNS = ['open', 'monitoring', 'resolved', 'closed'] as const;
const STATUS_WORD: Record<string, WordKey> = {
  open: 'open',
  monitoring: 'monitoring',
  resolved: 'resolved',
  closed: 'closed',
};

export function IncidentsPage() {
  const incidents = useResource<{ items: IncidentSummary[] }>('/v1/incidents');
  return (
    <section aria-labelledby="incidents-title">
      <h2 id="incidents-title">{t('incidents')}</h2>
      <ErrorLine error={incidents.error} />
      <div class="board">
        {COLUMNS.map((status) => (
          <section key={status} class="column" aria-label={t(STATUS_WORD[status] ?? 'open')}>
            <h3>{t(STATUS_WORD[status] ?? 'open')}</h3>
            <ul>
              {incidents.data?.items
                .filter((i) => i.status === status)
                .map((i) => (
                  <li key={i.id} class="card">
                    <Link href={`/incidents/${i.id}`}>
                      <SeverityBadge severity={i.severity} /> {i.title}
                    </Link>
                    <small>
                      {formatTime(i.created_at)}
                      {i.tasks !== undefined &&
                        ` · ${t('tasks')}: ${i.tasks.done}/${i.tasks.open + i.tasks.done}`}
                    </small>
                  </li>
                ))}
            </ul>
          </section>
        ))}
      </div>
    </section>
  );
}

export function IncidentPage(props: { id: number }) {
  const incident = useResource<IncidentDetail>(`/v1/incidents/${props.id}`);
  const assignees = useResource<{ items: { id: number; name: string; role: string }[] }>(
    can('analyst') ? '/v1/assignees' : null,
  );
  const [error, setError] = useState<Error | undefined>(undefined);
  const act = async (run: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await run();
      incident.reload();
    } catch (e) {
      setError(e instanceof ApiError ? e : new Error(String(e)));
    }
  };
  const i = incident.data;
  if (i === undefined)
    return incident.error === undefined ? <p>{t('loading')}</p> : <ErrorLine error={incident.error} />;
  const readOnly = !can('analyst');
  const nameOf = (id: number | null) =>
    id === null ? '—' : (assignees.data?.items.find((a) => a.id === id)?.name ?? `#${id}`);
  return (
    <article class="incident" aria-labelledby="incident-title">
      <h2 id="incident-title">
        <SeverityBadge severity={i.severity} /> {i.title}
      </h2>
      <p>
        <label>
          {t('status')}{' '}
          <select
            value={i.status}
            disabled={readOnly}
            onChange={(e) =>
              void act(() =>
                patch(`/v1/incidents/${i.id}`, { status: (e.currentTarget as HTMLSelectElement).value }),
              )
            }
          >
            {COLUMNS.map((s) => (
              <option key={s} value={s}>
                {t(STATUS_WORD[s] ?? 'open')}
              </option>
            ))}
          </select>
        </label>{' '}
        {i.warning_thread_id !== null && (
          <Link href={`/warnings/${i.warning_thread_id}`}>
            {t('warnings')} #{i.warning_thread_id}
          </Link>
        )}
      </p>
      <ErrorLine error={error} />
      <section aria-labelledby="tasks-title">
        <h3 id="tasks-title">{t('tasks')}</h3>
        <table>
          <thead>
            <tr>
              <th scope="col">{t('tasks')}</th>
              <th scope="col">{t('assignee')}</th>
              <th scope="col">{t('due')}</th>
              <th scope="col">{t('status')}</th>
            </tr>
          </thead>
          <tbody>
            {i.tasks.map((task) => (
              <tr key={task.id} data-testid="task-row">
                <td>{task.title}</td>
                <td>{task.assignee_name ?? nameOf(task.assignee_user_id)}</td>
                <td>{formatTime(task.due_at)}</td>
                <td>
                  <select
                    aria-label={`${t('status')}: ${task.title}`}
                    value={task.status}
                    disabled={readOnly}
                    onChange={(e) =>
                      void act(() =>
                        patch(`/v1/incidents/${i.id}/tasks/${task.id}`, {
                          status: (e.currentTarget as HTMLSelectElement).value,
                        }),
                      )
                    }
                  >
                    <option value="todo">{t('todo')}</option>
                    <option value="doing">{t('doing')}</option>
                    <option value="done">{t('done')}</option>
                  </select>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {!readOnly && (
          <form
            class="inline-form"
            aria-label={t('newTask')}
            onSubmit={(e) => {
              e.preventDefault();
              const form = e.currentTarget as HTMLFormElement;
              const data = new FormData(form);
              const assignee = String(data.get('assignee') ?? '');
              const due = String(data.get('due') ?? '');
              void act(async () => {
                await post(`/v1/incidents/${i.id}/tasks`, {
                  title: String(data.get('title')),
                  ...(assignee === '' ? {} : { assignee_user_id: Number(assignee) }),
                  ...(due === '' ? {} : { due_at: new Date(`${due}Z`).toISOString() }),
                });
                form.reset();
              });
            }}
          >
            <label>
              {t('newTask')}
              <input name="title" required maxLength={300} />
            </label>
            <label>
              {t('assignee')}
              <select name="assignee">
                <option value="">—</option>
                {assignees.data?.items.map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.name} ({a.role})
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t('due')} (UTC)
              <input name="due" type="datetime-local" />
            </label>
            <button type="submit">{t('add')}</button>
          </form>
        )}
      </section>
      <section aria-labelledby="timeline-title">
        <h3 id="timeline-title">{t('timeline')}</h3>
        <ol class="timeline" data-testid="timeline">
          {i.timeline.map((e) => (
            <li key={e.id}>
              <time dateTime={e.at}>{formatTime(e.at)}</time> · {e.actor} · {e.kind}
              {e.text !== null && ` — ${e.text}`}
            </li>
          ))}
        </ol>
        {!readOnly && (
          <form
            class="inline-form"
            aria-label={t('addNote')}
            onSubmit={(e) => {
              e.preventDefault();
              const form = e.currentTarget as HTMLFormElement;
              const text = String(new FormData(form).get('text'));
              void act(async () => {
                await post(`/v1/incidents/${i.id}/notes`, { text });
                form.reset();
              });
            }}
          >
            <label>
              {t('note')}
              <input name="text" required maxLength={4000} />
            </label>
            <button type="submit">{t('addNote')}</button>
          </form>
        )}
      </section>
    </article>
  );
}
