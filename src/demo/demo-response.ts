/**
 * @module The demo's rapid response: dashboard users to sign in with, and an incident opened from Dhaka's
 * first published warning, with a task for the duty officer.
 */
import type { Kysely } from 'kysely';
import type { EventBus } from '../bus/event-bus.ts';
import type { Role } from '../registry/access.ts';
import { hashPassword, verifyPassword } from '../registry/password.ts';
import { incidentTitleOf, type Person } from '../response/incident-timeline.ts';
import { addTask, openIncident, warningForIncident } from '../store/incident.repository.ts';
import { createUser, normaliseEmail } from '../store/organisation.repository.ts';
import type { Schema } from '../store/schema.ts';

/** The demo users' password unless EW4E_DEMO_PASSWORD is set. */
export const DEFAULT_DEMO_PASSWORD = 'ew4e-demo-2026';

interface DemoUser {
  readonly email: string;
  readonly name: string;
  readonly role: Role;
}

/** Given the demo's tasks. */
export const DEMO_DUTY_OFFICER: DemoUser = {
  email: 'duty@ew4e.demo',
  name: 'Duty Officer',
  role: 'approver',
};

export const DEMO_USERS: readonly DemoUser[] = [
  DEMO_DUTY_OFFICER,
  { email: 'viewer@ew4e.demo', name: 'Dashboard Viewer', role: 'viewer' },
];

/** The timeline's name for what the demo does on its own. */
const DEMO_ACTOR = 'EW4E demo';

const TASK_DUE_MS = 2 * 3_600_000;

/**
 * Makes the demo users in `organisationId` if they are missing; an existing user's password is set anew
 * only when it no longer matches, so that changing EW4E_DEMO_PASSWORD takes effect at the next start.
 * Returns e-mail → user id.
 */
export async function installDemoUsers(
  db: Kysely<Schema>,
  organisationId: number,
  password: string,
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const u of DEMO_USERS) {
    const email = normaliseEmail(u.email);
    const existing = await db
      .selectFrom('app_user')
      .select(['id', 'password_hash'])
      .where('email', '=', email)
      .executeTakeFirst();
    if (existing === undefined) {
      const created = await createUser(db, { organisationId, email, name: u.name, role: u.role, password });
      ids.set(email, created.id);
      continue;
    }
    if (existing.password_hash === null || !(await verifyPassword(password, existing.password_hash))) {
      await db
        .updateTable('app_user')
        .set({ password_hash: await hashPassword(password) })
        .where('id', '=', existing.id)
        .execute();
    }
    ids.set(email, existing.id);
  }
  return ids;
}

export interface DemoIncidentWatch {
  /** Looks now, e.g. after the backfill: the warning may have been published by an earlier run. */
  check(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Once a warning of `organisationId` is published, opens an incident from it with one task for the duty
 * officer, due in two hours. Only once per database: a restart or a later warning adds nothing.
 */
export function watchForDemoIncident(
  db: Kysely<Schema>,
  bus: EventBus,
  organisationId: number,
  duty: Person,
  now: () => number,
  log: (msg: string) => void,
): DemoIncidentWatch {
  let done = false;
  // Published events can come in bursts; one check at a time, so two cannot both open the incident.
  let queue: Promise<void> = Promise.resolve();

  const open = async (): Promise<void> => {
    if (done) return;
    const earlier = await db
      .selectFrom('incident')
      .select('id')
      .where('created_by', '=', DEMO_ACTOR)
      .executeTakeFirst();
    if (earlier !== undefined) {
      done = true;
      return;
    }
    const thread = await db
      .selectFrom('warning_thread as t')
      .select('t.id')
      .where('t.organisation_id', '=', organisationId)
      .where('t.status', '=', 'open')
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('warning as w')
            .select('w.id')
            .whereRef('w.thread_id', '=', 't.id')
            .where('w.status', '=', 'published'),
        ),
      )
      .orderBy('t.id', 'desc')
      .executeTakeFirst();
    if (thread === undefined) return;
    const warning = await warningForIncident(db, thread.id);
    if (warning === undefined) return;
    done = true;
    const opened = await openIncident(db, {
      organisationId: warning.organisationId,
      warning,
      title: incidentTitleOf(warning.texts, `${warning.hazard}: ${warning.areaDesc}`),
      actor: DEMO_ACTOR,
    });
    // Someone opened it from the dashboard first: theirs stays as it is.
    if (!opened.created) return;
    await addTask(
      db,
      opened.id,
      {
        title: 'Check the Dhaka air-quality stations and brief the hospitals on the warning',
        assignee: duty,
        dueAtMs: now() + TASK_DUE_MS,
      },
      DEMO_ACTOR,
    );
    log(`demo: incident ${opened.id} opened from warning ${warning.identifier ?? warning.id}`);
  };

  const check = (): Promise<void> => {
    queue = queue.then(open).catch((error: unknown) => {
      done = false;
      log(
        `demo: the incident could not be opened: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
    return queue;
  };

  const unsubscribe = bus.subscribe('warnings.published', () => {
    if (!done) void check();
  });
  return {
    check,
    stop: async () => {
      unsubscribe();
      await queue;
    },
  };
}
