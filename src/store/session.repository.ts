/** @module Dashboard sessions: sign-in lookups, sessions stored by the hash of their token, and the caller a session stands for. */
import { type Kysely, sql } from 'kysely';
import { type Caller, generateSession, type Role, SESSION_TTL_S, sessionIdOf } from '../registry/access.ts';
import { normaliseEmail } from './organisation.repository.ts';
import type { Schema } from './schema.ts';

export interface SessionUser {
  readonly id: number;
  readonly name: string;
  readonly email: string;
  readonly role: Role;
  readonly organisationId: number;
  readonly organisationName: string;
}

export interface LiveSession {
  readonly user: SessionUser;
  readonly csrfToken: string;
  /** The user's organisation and every one below it. */
  readonly readableOrganisationIds: readonly number[];
  readonly lastSeenAt: Date;
}

/** last_seen_at is written at most this often, so that reads do not each cost a write. */
const TOUCH_EVERY_MS = 60_000;

/** The user with this e-mail (compared without regard to case) and their password hash, for sign-in. */
export async function userForSignIn(
  db: Kysely<Schema>,
  email: string,
): Promise<(SessionUser & { readonly passwordHash: string | null }) | undefined> {
  const row = await db
    .selectFrom('app_user as u')
    .innerJoin('organisation as o', 'o.id', 'u.organisation_id')
    .select([
      'u.id',
      'u.name',
      'u.email',
      'u.role',
      'u.organisation_id',
      'o.name as organisation_name',
      'u.password_hash',
    ])
    .where('u.email', '=', normaliseEmail(email))
    .executeTakeFirst();
  if (row === undefined) return undefined;
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    role: row.role,
    organisationId: row.organisation_id,
    organisationName: row.organisation_name,
    passwordHash: row.password_hash,
  };
}

/** Starts a session of `userId`; returns the cookie's token (not stored) and the CSRF token. Drops the user's expired sessions. */
export async function startSession(
  db: Kysely<Schema>,
  userId: number,
  nowMs: number,
): Promise<{ token: string; csrfToken: string }> {
  const session = generateSession();
  await db.transaction().execute(async (tx) => {
    await tx
      .deleteFrom('user_session')
      .where('user_id', '=', userId)
      .where('expires_at', '<=', new Date(nowMs))
      .execute();
    await tx
      .insertInto('user_session')
      .values({
        id: session.id,
        user_id: userId,
        csrf_token: session.csrfToken,
        expires_at: new Date(nowMs + SESSION_TTL_S * 1000),
        last_seen_at: new Date(nowMs),
      })
      .execute();
  });
  return { token: session.token, csrfToken: session.csrfToken };
}

/** The session a cookie's token stands for, with its user and readable organisations; undefined when unknown or expired. */
export async function sessionOf(
  db: Kysely<Schema>,
  token: string,
  nowMs: number,
): Promise<LiveSession | undefined> {
  const result = await sql<{
    user_id: number;
    name: string;
    email: string;
    role: Role;
    organisation_id: number;
    organisation_name: string;
    csrf_token: string;
    last_seen_at: Date;
    readable: number[];
  }>`
    with recursive s as (
      select u.id as user_id, u.name, u.email, u.role, u.organisation_id, o.name as organisation_name,
             s.csrf_token, s.last_seen_at
      from user_session s
      join app_user u on u.id = s.user_id
      join organisation o on o.id = u.organisation_id
      where s.id = ${sessionIdOf(token)} and s.expires_at > ${new Date(nowMs)}
    ), below(id) as (
      select organisation_id from s
      union all
      select o.id from organisation o join below b on o.parent_id = b.id
    )
    select s.*, array(select id from below) as readable from s`.execute(db);
  const row = result.rows[0];
  if (row === undefined) return undefined;
  return {
    user: {
      id: row.user_id,
      name: row.name,
      email: row.email,
      role: row.role,
      organisationId: row.organisation_id,
      organisationName: row.organisation_name,
    },
    csrfToken: row.csrf_token,
    readableOrganisationIds: row.readable.map(Number),
    lastSeenAt: new Date(row.last_seen_at),
  };
}

/** Records that a session was used, at most once a minute. */
export async function touchSession(
  db: Kysely<Schema>,
  token: string,
  session: LiveSession,
  nowMs: number,
): Promise<void> {
  if (nowMs - session.lastSeenAt.getTime() < TOUCH_EVERY_MS) return;
  await db
    .updateTable('user_session')
    .set({ last_seen_at: new Date(nowMs) })
    .where('id', '=', sessionIdOf(token))
    .execute();
}

export async function endSession(db: Kysely<Schema>, token: string): Promise<void> {
  await db.deleteFrom('user_session').where('id', '=', sessionIdOf(token)).execute();
}

/** A signed-in user acts as a caller of their organisation with their own role; keyId 0 marks that no key is involved. */
export function callerOfSession(session: LiveSession): Caller {
  return {
    keyId: 0,
    userId: session.user.id,
    actor: session.user.name,
    organisationId: session.user.organisationId,
    role: session.user.role,
    readableOrganisationIds: session.readableOrganisationIds,
  };
}

/** Replaces a user's password hash (an old scheme or weaker parameters, upgraded at sign-in). */
export async function replacePasswordHash(
  db: Kysely<Schema>,
  userId: number,
  passwordHash: string,
): Promise<void> {
  await db.updateTable('app_user').set({ password_hash: passwordHash }).where('id', '=', userId).execute();
}
