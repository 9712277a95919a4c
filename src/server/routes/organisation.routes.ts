/** @module Access routes: the organisation tree, its users and its API keys, each scoped to the caller's organisation and those below it. */
import { type TSchema, Type } from 'typebox';
import type { Services } from '../../app.ts';
import { Ew4eError, notFound } from '../../errors.ts';
import { actorOf, type Caller, ROLES, type Role, roleAtLeast } from '../../registry/access.ts';
import { ORGANISATION_KINDS } from '../../registry/organisation.ts';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../registry/password.ts';
import { mayGrantScopes, normaliseScopes, SCOPES } from '../../registry/scopes.ts';
import { createApiKey } from '../../store/access.repository.ts';
import { appendSecurityEvent } from '../../store/audit.repository.ts';
import {
  type ApiKeyRow,
  createOrganisation,
  createUser,
  findOrganisation,
  findUser,
  listApiKeys,
  listOrganisations,
  listUsers,
  type OrganisationRow,
  revokeApiKey,
  type UserRow,
} from '../../store/organisation.repository.ts';
import { callerOf, type HttpServer } from '../http-server.ts';
import { IdParam, Problem, RowId } from './route-schemas.ts';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });
const Timestamp = Type.String({ format: 'date-time' });

const RoleSchema = Type.Enum(ROLES, {
  description: 'viewer < analyst < approver < admin; each can do what the ones before it can',
});
const Code = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$',
  description: 'letters, digits, . _ : -',
});
const Name = Type.String({ minLength: 1, maxLength: 200 });

const Organisation = Type.Object({
  id: Id,
  parent_id: Nullable(Id),
  kind: Type.Enum(ORGANISATION_KINDS),
  code: Type.String(),
  name: Type.String(),
  iso_code: Nullable(Type.String({ description: 'ISO 3166-1 alpha-2 (country) or ISO 3166-2 (city)' })),
  created_at: Timestamp,
});

const User = Type.Object({
  id: Id,
  organisation_id: Id,
  email: Type.String(),
  name: Type.String(),
  role: RoleSchema,
  has_password: Type.Boolean({
    description: 'whether a password is set; the password itself is never shown',
  }),
  created_at: Timestamp,
});

const ScopesSchema = Type.Array(Type.Enum(SCOPES), {
  uniqueItems: true,
  minItems: 1,
  description:
    'what the key may be used for (see docs/api-key-scopes.md); absent or null: everything its role allows',
});

const ApiKey = Type.Object({
  id: Id,
  name: Type.String(),
  prefix: Type.String({ description: 'the first characters of the key, to recognise it by' }),
  role: RoleSchema,
  scopes: Nullable(ScopesSchema),
  organisation_id: Id,
  created_at: Timestamp,
  last_used_at: Nullable(Timestamp),
  revoked_at: Nullable(Timestamp),
});

const CreatedApiKey = Type.Object({
  id: Id,
  key: Type.String({ description: 'the key itself: shown only in this reply and stored only as a hash' }),
  prefix: Type.String(),
  role: RoleSchema,
  scopes: Nullable(ScopesSchema),
  organisation_id: Id,
  name: Type.String(),
});

const OrganisationFilter = Type.Object({
  organisation_id: Type.Optional(
    RowId({ description: 'only this organisation (default: all you can read)' }),
  ),
});

const Items = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item) });

function organisationJson(o: OrganisationRow) {
  return { ...o, created_at: o.created_at.toISOString() };
}

function userJson(u: UserRow) {
  return { ...u, created_at: u.created_at.toISOString() };
}

function apiKeyJson(k: ApiKeyRow) {
  return {
    ...k,
    created_at: k.created_at.toISOString(),
    last_used_at: k.last_used_at?.toISOString() ?? null,
    revoked_at: k.revoked_at?.toISOString() ?? null,
  };
}

/** The organisation a request acts for: the caller's own by default; one it cannot read does not exist for it. */
function actingFor(caller: Caller, organisationId: number | undefined): number {
  const id = organisationId ?? caller.organisationId;
  if (!caller.readableOrganisationIds.includes(id)) throw notFound(`organisation ${id}`);
  return id;
}

/** No one hands out more than they hold: a key or user never gets a role above the caller's. */
function mayGrant(caller: Caller, role: Role): void {
  if (!roleAtLeast(caller.role, role)) {
    throw new Ew4eError(
      'EW4E_FORBIDDEN',
      `a key with the role "${caller.role}" cannot grant the role "${role}"`,
    );
  }
}

/** The readable organisations, or just the one asked for (which must be readable). */
function scopeOf(caller: Caller, organisationId: number | undefined): readonly number[] {
  return organisationId === undefined ? caller.readableOrganisationIds : [actingFor(caller, organisationId)];
}

export async function organisationRoutes(
  app: HttpServer,
  { services }: { services: Services },
): Promise<void> {
  const db = services.database.db;

  // ---- organisations

  app.get(
    '/v1/organisations',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: {
        tags: ['access'],
        summary: 'Your organisation and the organisations below it',
        response: { 200: Items(Organisation) },
      },
    },
    async (request) => {
      const rows = await listOrganisations(db, callerOf(request).readableOrganisationIds);
      return { items: rows.map(organisationJson) };
    },
  );

  app.post(
    '/v1/organisations',
    {
      config: { role: 'admin', scope: 'admin' },
      schema: {
        tags: ['access'],
        summary: 'Create an organisation below yours',
        description:
          'Organisations form a tree: global → country → city. The parent defaults to your organisation and must be ' +
          'it or one below it. iso_code is ISO 3166-1 alpha-2 for a country ("BD") and ISO 3166-2 for a city ("BD-13"). ' +
          'code is unique across the installation.',
        body: Type.Object(
          {
            parent_id: Type.Optional(Id),
            kind: Type.Union([Type.Literal('country'), Type.Literal('city')]),
            code: Code,
            name: Name,
            iso_code: Type.Optional(Type.String({ minLength: 2, maxLength: 6, examples: ['BD', 'BD-13'] })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Organisation, 400: Problem, 404: Problem, 409: Problem },
      },
    },
    async (request, reply) => {
      const { parent_id, kind, code, name, iso_code } = request.body;
      const parentId = actingFor(callerOf(request), parent_id);
      const organisation = await createOrganisation(db, { parentId, kind, code, name, isoCode: iso_code });
      // remembered callers above the new organisation must learn that they may read it
      services.access.forgetKeys();
      return reply.status(201).send(organisationJson(organisation));
    },
  );

  app.get(
    '/v1/organisations/:id',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: {
        tags: ['access'],
        summary: 'One organisation',
        params: IdParam,
        response: { 200: Organisation, 404: Problem },
      },
    },
    async (request) => {
      const organisation = await findOrganisation(
        db,
        request.params.id,
        callerOf(request).readableOrganisationIds,
      );
      if (!organisation) throw notFound(`organisation ${request.params.id}`);
      return organisationJson(organisation);
    },
  );

  // ---- API keys

  app.post(
    '/v1/keys',
    {
      config: { role: 'admin', scope: 'admin' },
      schema: {
        tags: ['access'],
        summary: 'Create an API key',
        description:
          'The key is in this reply only; it is stored as a hash and cannot be shown again. organisation_id defaults ' +
          'to yours and must be it or one below it; the role cannot exceed your own, nor the scopes yours (a key ' +
          'restricted to scopes can only create keys restricted to some of them).',
        body: Type.Object(
          {
            name: Name,
            role: RoleSchema,
            organisation_id: Type.Optional(Id),
            scopes: Type.Optional(ScopesSchema),
          },
          { additionalProperties: false },
        ),
        response: { 201: CreatedApiKey, 403: Problem, 404: Problem },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const organisationId = actingFor(caller, request.body.organisation_id);
      mayGrant(caller, request.body.role);
      const scopes = normaliseScopes(request.body.scopes);
      mayGrantScopes(caller.scopes, scopes);
      // The key and the record of its making commit together.
      const created = await db.transaction().execute(async (tx) => {
        const key = await createApiKey(tx, organisationId, request.body.role, request.body.name, scopes);
        await appendSecurityEvent(tx, {
          organisationId,
          actor: actorOf(caller),
          action: 'api_key_created',
          changes: {
            key_id: key.id,
            prefix: key.prefix,
            role: key.role,
            scopes: scopes ?? null,
            name: key.name,
          },
        });
        return key;
      });
      return reply.status(201).send({
        id: created.id,
        key: created.key,
        prefix: created.prefix,
        role: created.role,
        scopes: created.scopes === undefined ? null : [...created.scopes],
        organisation_id: created.organisationId,
        name: created.name,
      });
    },
  );

  app.get(
    '/v1/keys',
    {
      config: { role: 'admin', scope: 'admin' },
      schema: {
        tags: ['access'],
        summary: 'API keys of your organisation and those below it',
        description: 'Keys are listed by name and prefix; neither the key nor its hash is ever shown.',
        querystring: Type.Intersect([
          OrganisationFilter,
          Type.Object({ include_revoked: Type.Optional(Type.Boolean({ default: false })) }),
        ]),
        response: { 200: Items(ApiKey), 404: Problem },
      },
    },
    async (request) => {
      const scope = scopeOf(callerOf(request), request.query.organisation_id);
      const rows = await listApiKeys(db, scope, { includeRevoked: request.query.include_revoked ?? false });
      return { items: rows.map(apiKeyJson) };
    },
  );

  app.delete(
    '/v1/keys/:id',
    {
      config: { role: 'admin', scope: 'admin' },
      schema: {
        tags: ['access'],
        summary: 'Revoke an API key',
        description: 'The key stops working at once. Revoking a revoked key changes nothing.',
        params: IdParam,
        response: { 204: Type.Null({ description: 'revoked' }), 404: Problem },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const revoked = await db.transaction().execute(async (tx) => {
        const key = await revokeApiKey(tx, request.params.id, caller.readableOrganisationIds);
        if (key !== undefined) {
          await appendSecurityEvent(tx, {
            organisationId: key.organisation_id,
            actor: actorOf(caller),
            action: 'api_key_revoked',
            changes: { key_id: request.params.id, prefix: key.prefix },
          });
        }
        return key;
      });
      services.access.forgetKeys();
      if (revoked === undefined) throw notFound(`API key ${request.params.id}`);
      return reply.status(204).send(null);
    },
  );

  // ---- users

  app.get(
    '/v1/users',
    {
      config: { role: 'admin', scope: 'admin' },
      schema: {
        tags: ['access'],
        summary: 'Users of your organisation and those below it',
        querystring: OrganisationFilter,
        response: { 200: Items(User), 404: Problem },
      },
    },
    async (request) => {
      const rows = await listUsers(db, scopeOf(callerOf(request), request.query.organisation_id));
      return { items: rows.map(userJson) };
    },
  );

  app.get(
    '/v1/users/:id',
    {
      config: { role: 'admin', scope: 'admin' },
      schema: {
        tags: ['access'],
        summary: 'One user',
        params: IdParam,
        response: { 200: User, 404: Problem },
      },
    },
    async (request) => {
      const user = await findUser(db, request.params.id, callerOf(request).readableOrganisationIds);
      if (!user) throw notFound(`user ${request.params.id}`);
      return userJson(user);
    },
  );

  app.post(
    '/v1/users',
    {
      config: { role: 'admin', scope: 'admin' },
      schema: {
        tags: ['access'],
        summary: 'Create a user',
        description:
          'organisation_id defaults to yours and must be it or one below it; the role cannot exceed your own. ' +
          `The password (optional, at least ${MIN_PASSWORD_LENGTH} characters) is stored as an argon2id hash and never shown. ` +
          'E-mail addresses are unique, compared without regard to case.',
        body: Type.Object(
          {
            email: Type.String({ format: 'email', maxLength: 254 }),
            name: Name,
            role: RoleSchema,
            organisation_id: Type.Optional(Id),
            password: Type.Optional(
              Type.String({
                minLength: MIN_PASSWORD_LENGTH,
                maxLength: MAX_PASSWORD_LENGTH,
                writeOnly: true,
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: User, 400: Problem, 403: Problem, 404: Problem, 409: Problem },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const { email, name, role, organisation_id, password } = request.body;
      const organisationId = actingFor(caller, organisation_id);
      mayGrant(caller, role);
      const user = await createUser(db, { organisationId, email, name, role, password });
      return reply.status(201).send(userJson(user));
    },
  );
}
