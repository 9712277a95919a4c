/** @module Rapid-response routes: incidents opened from warnings, their tasks and notes, and the timeline of everything done. */
import { type TSchema, Type } from 'typebox';
import type { Services } from '../../app.ts';
import { Ew4eError, notFound } from '../../errors.ts';
import { actorOf, type Caller, ROLES } from '../../registry/access.ts';
import {
  INCIDENT_STATUSES,
  incidentTitleOf,
  type Person,
  TASK_STATUSES,
  TIMELINE_KINDS,
} from '../../response/incident-timeline.ts';
import type { Database } from '../../store/database.ts';
import {
  addNote,
  addTask,
  assignees,
  changeIncident,
  changeTask,
  incidentDetail,
  incidentOf,
  listIncidents,
  openIncident,
  warningForIncident,
} from '../../store/incident.repository.ts';
import { uniquely } from '../../store/unique-violation.ts';
import { callerOf, type HttpServer } from '../http-server.ts';
import { BigRowId, IdParam, Problem } from './route-schemas.ts';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });
const Timestamp = Type.String({ format: 'date-time' });
const Title = Type.String({ minLength: 1, maxLength: 200 });

const WarningSummary = Type.Object(
  {
    id: Type.Integer({ description: 'the warning thread (GET /v1/warnings/:id)' }),
    hazard: Type.String(),
    status: Type.Enum(['open', 'closed']),
    area_desc: Type.String(),
    identifier: Nullable(Type.String({ description: 'CAP identifier of the current version' })),
    severity: Nullable(Type.String()),
    headline: Nullable(Type.String()),
  },
  {
    description:
      'the warning the incident responds to; its current version: the latest published, else the latest',
  },
);

const IncidentFields = {
  id: Type.Integer(),
  organisation_id: Type.Integer(),
  title: Type.String(),
  status: Type.Enum(INCIDENT_STATUSES),
  severity: Nullable(Type.String({ description: "the warning's CAP severity when the incident was opened" })),
  created_by: Type.String(),
  created_at: Timestamp,
  updated_at: Timestamp,
  closed_at: Nullable(Timestamp),
  warning: Nullable(WarningSummary),
  task_counts: Type.Object({ open: Type.Integer(), done: Type.Integer() }),
};

const Incident = Type.Object(IncidentFields);

const Task = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  status: Type.Enum(TASK_STATUSES),
  assignee_user_id: Nullable(Type.Integer()),
  assignee_name: Nullable(Type.String()),
  due_at: Nullable(Timestamp),
  created_by: Type.String(),
  created_at: Timestamp,
  done_at: Nullable(Timestamp),
});

const TimelineEvent = Type.Object({
  id: Type.Integer(),
  at: Timestamp,
  actor: Type.String({ description: "the signed-in user's name, or key:<id>" }),
  kind: Type.Enum(TIMELINE_KINDS),
  text: Nullable(Type.String()),
  details: Type.Object({}, { additionalProperties: true }),
});

const IncidentWithTimeline = Type.Object({
  ...IncidentFields,
  tasks: Type.Array(Task),
  timeline: Type.Array(TimelineEvent, { description: 'every change and note, oldest first' }),
});

const TaskParams = Type.Object({ id: Id, taskId: Id });

const NOT_FOUND = { 404: Problem };

export async function incidentRoutes(app: HttpServer, { services }: { services: Services }): Promise<void> {
  const db = services.database.db;

  /** The incident if the caller may read it; another organisation's looks absent. */
  const readableIncident = async (caller: Caller, id: number) => {
    const incident = await incidentOf(db, id, caller.readableOrganisationIds);
    if (incident === undefined) throw notFound('incident');
    return incident;
  };

  const detailOf = async (caller: Caller, id: number) => {
    const detail = await incidentDetail(db, id, caller.readableOrganisationIds);
    if (detail === undefined) throw notFound('incident');
    return detail;
  };

  app.post(
    '/v1/incidents',
    {
      config: { role: 'analyst', scope: 'incidents:write' },
      schema: {
        tags: ['response'],
        summary: 'Open an incident, from a warning or by hand',
        description:
          "From a warning (warning_id: the thread id) the title defaults to its headline (English, else its first language) and the severity is its current version's. " +
          'A warning has at most one live (not closed) incident: opening it again returns that one with 200 instead of 201. ' +
          'Without a warning, a title is required.',
        body: Type.Object(
          {
            warning_id: Type.Optional(BigRowId()),
            title: Type.Optional(Title),
          },
          { additionalProperties: false },
        ),
        response: { 200: IncidentWithTimeline, 201: IncidentWithTimeline, 400: Problem, ...NOT_FOUND },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const { warning_id, title } = request.body;
      let opened: { id: number; created: boolean };
      if (warning_id !== undefined) {
        const warning = await warningForIncident(db, warning_id);
        if (warning === undefined || !caller.readableOrganisationIds.includes(warning.organisationId))
          throw notFound('warning');
        opened = await openIncident(db, {
          // The warning's organisation: everyone who can see the warning can see its incident.
          organisationId: warning.organisationId,
          warning,
          title: title ?? incidentTitleOf(warning.texts, `${warning.hazard}: ${warning.areaDesc}`),
          actor: actorOf(caller),
        });
      } else {
        if (title === undefined) {
          throw new Ew4eError('EW4E_BAD_REQUEST', 'an incident without a warning needs a title', [
            { pointer: '/title', reason: 'required when warning_id is absent' },
          ]);
        }
        opened = await openIncident(db, {
          organisationId: caller.organisationId,
          warning: null,
          title,
          actor: actorOf(caller),
        });
      }
      return reply.status(opened.created ? 201 : 200).send(await detailOf(caller, opened.id));
    },
  );

  app.get(
    '/v1/incidents',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: {
        tags: ['response'],
        summary:
          'Incidents of your organisations, newest first (at most 500), with task counts and their warnings',
        querystring: Type.Object({ status: Type.Optional(Type.Enum(INCIDENT_STATUSES)) }),
        response: { 200: Type.Object({ items: Type.Array(Incident) }) },
      },
    },
    async (request) => ({
      items: await listIncidents(db, {
        readable: callerOf(request).readableOrganisationIds,
        status: request.query.status,
      }),
    }),
  );

  app.get(
    '/v1/incidents/:id',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: {
        tags: ['response'],
        summary: 'One incident with its tasks and its timeline',
        params: IdParam,
        response: { 200: IncidentWithTimeline, ...NOT_FOUND },
      },
    },
    async (request) => detailOf(callerOf(request), request.params.id),
  );

  app.patch(
    '/v1/incidents/:id',
    {
      config: { role: 'analyst', scope: 'incidents:write' },
      schema: {
        tags: ['response'],
        summary: 'Change the status or title; closing stamps closed_at (a closed incident may be reopened)',
        params: IdParam,
        body: Type.Object(
          { status: Type.Optional(Type.Enum(INCIDENT_STATUSES)), title: Type.Optional(Title) },
          { additionalProperties: false },
        ),
        response: { 200: IncidentWithTimeline, 400: Problem, ...NOT_FOUND, 409: Problem },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const incident = await readableIncident(caller, request.params.id);
      // Reopening meets the unique index when the warning has meanwhile got another live incident.
      await uniquely('a live incident of this warning', () =>
        changeIncident(db, incident.id, request.body, actorOf(caller)),
      );
      return detailOf(caller, incident.id);
    },
  );

  app.post(
    '/v1/incidents/:id/tasks',
    {
      config: { role: 'analyst', scope: 'incidents:write' },
      schema: {
        tags: ['response'],
        summary: 'Add a task, optionally assigned (GET /v1/assignees) and due at a time',
        params: IdParam,
        body: Type.Object(
          {
            title: Title,
            assignee_user_id: Type.Optional(Id),
            due_at: Type.Optional(Type.String({ format: 'date-time' })),
          },
          { additionalProperties: false },
        ),
        response: { 201: IncidentWithTimeline, 400: Problem, ...NOT_FOUND },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const incident = await readableIncident(caller, request.params.id);
      const b = request.body;
      const assignee =
        b.assignee_user_id === undefined
          ? null
          : await assigneeFor(db, caller, incident.organisation_id, b.assignee_user_id);
      await addTask(
        db,
        incident.id,
        { title: b.title, assignee, dueAtMs: b.due_at === undefined ? null : Date.parse(b.due_at) },
        actorOf(caller),
      );
      return reply.status(201).send(await detailOf(caller, incident.id));
    },
  );

  app.patch(
    '/v1/incidents/:id/tasks/:taskId',
    {
      config: { role: 'analyst', scope: 'incidents:write' },
      schema: {
        tags: ['response'],
        summary: 'Change a task: its status, assignee (null: nobody) or due time (null: none)',
        params: TaskParams,
        body: Type.Object(
          {
            status: Type.Optional(Type.Enum(TASK_STATUSES)),
            assignee_user_id: Type.Optional(Nullable(Id)),
            due_at: Type.Optional(Nullable(Type.String({ format: 'date-time' }))),
          },
          { additionalProperties: false },
        ),
        response: { 200: IncidentWithTimeline, 400: Problem, ...NOT_FOUND },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const incident = await readableIncident(caller, request.params.id);
      const b = request.body;
      const assignee =
        b.assignee_user_id === undefined || b.assignee_user_id === null
          ? b.assignee_user_id
          : await assigneeFor(db, caller, incident.organisation_id, b.assignee_user_id);
      const changed = await changeTask(
        db,
        incident.id,
        request.params.taskId,
        {
          status: b.status,
          assignee,
          dueAtMs: b.due_at === undefined || b.due_at === null ? b.due_at : Date.parse(b.due_at),
        },
        actorOf(caller),
      );
      if (!changed) throw notFound('task');
      return detailOf(caller, incident.id);
    },
  );

  app.post(
    '/v1/incidents/:id/notes',
    {
      config: { role: 'analyst', scope: 'incidents:write' },
      schema: {
        tags: ['response'],
        summary: "Add a note to the incident's timeline",
        params: IdParam,
        body: Type.Object(
          { text: Type.String({ minLength: 1, maxLength: 4000 }) },
          { additionalProperties: false },
        ),
        response: { 201: IncidentWithTimeline, 400: Problem, ...NOT_FOUND },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const incident = await readableIncident(caller, request.params.id);
      await addNote(db, incident.id, request.body.text, actorOf(caller));
      return reply.status(201).send(await detailOf(caller, incident.id));
    },
  );

  app.get(
    '/v1/assignees',
    {
      config: { role: 'analyst', scope: 'read' },
      schema: {
        tags: ['response'],
        summary: 'Users a task may be given to: those of your organisations',
        description:
          'With incident_id, only those who can see that incident (users of its organisation or of one above it).',
        querystring: Type.Object({ incident_id: Type.Optional(Id) }),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                id: Type.Integer(),
                name: Type.String(),
                role: Type.Enum(ROLES),
                organisation_id: Type.Integer(),
              }),
            ),
          }),
          ...NOT_FOUND,
        },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const incidentId = request.query.incident_id;
      const seeing =
        incidentId === undefined ? undefined : (await readableIncident(caller, incidentId)).organisation_id;
      return { items: await assignees(db, { readable: caller.readableOrganisationIds, seeing }) };
    },
  );
}

/** The user a task may be given to, or a 400 naming the field: one of the caller's users who can see the incident. */
async function assigneeFor(
  db: Database['db'],
  caller: Caller,
  incidentOrganisationId: number,
  userId: number,
): Promise<Person> {
  const [user] = await assignees(db, {
    readable: caller.readableOrganisationIds,
    seeing: incidentOrganisationId,
    userId,
  });
  if (user === undefined) {
    throw new Ew4eError('EW4E_BAD_REQUEST', `user ${userId} cannot be given this task`, [
      {
        pointer: '/assignee_user_id',
        reason: 'not a user of your organisations who can see this incident',
      },
    ]);
  }
  return { id: user.id, name: user.name };
}
