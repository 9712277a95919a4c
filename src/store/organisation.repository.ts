/** @module Organisations, their users and their API keys: the tree of who owns what, and who may act for it. */
import type { Kysely } from 'kysely';
import { Ew4eError, notFound, type ProblemDetail } from '../errors.ts';
import type { Role } from '../registry/access.ts';
import { childKindOf, isValidIsoCode, type OrganisationKind } from '../registry/organisation.ts';
import { hashPassword } from '../registry/password.ts';
import type { Scope } from '../registry/scopes.ts';
import type { Schema } from './schema.ts';
import { uniquely } from './unique-violation.ts';

// ---- organisations

export interface OrganisationRow {
  readonly id: number;
  readonly parent_id: number | null;
  readonly kind: OrganisationKind;
  readonly code: string;
  readonly name: string;
  readonly iso_code: string | null;
  readonly created_at: Date;
}

export interface NewOrganisation {
  readonly parentId: number;
  readonly kind: OrganisationKind;
  readonly code: string;
  readonly name: string;
  readonly isoCode?: string | undefined;
}

const ISO_FORMAT: Readonly<Record<OrganisationKind, string>> = {
  global: 'the global organisation has no ISO code',
  country: 'an ISO 3166-1 alpha-2 code like "BD"',
  city: 'an ISO 3166-2 subdivision like "BD-13", or the country\'s alpha-2 code',
};

/** Why `input` cannot be placed under `parent` (kind chain global → country → city, ISO 3166 codes); empty when it can. */
export function organisationProblems(
  parent: Pick<OrganisationRow, 'kind' | 'code' | 'iso_code'>,
  input: Pick<NewOrganisation, 'kind' | 'isoCode'>,
): ProblemDetail[] {
  const problems: ProblemDetail[] = [];
  const expected = childKindOf(parent.kind);
  if (expected === undefined) {
    problems.push({
      pointer: '/parent_id',
      field: 'parent_id',
      reason: `organisation "${parent.code}" is a ${parent.kind}; a ${parent.kind} cannot have organisations below it`,
    });
  } else if (input.kind !== expected) {
    problems.push({
      pointer: '/kind',
      field: 'kind',
      reason: `an organisation below a ${parent.kind} must be a ${expected}, not a ${input.kind}`,
    });
  }
  const iso = input.isoCode;
  if (iso !== undefined) {
    if (!isValidIsoCode(input.kind, iso)) {
      problems.push({
        pointer: '/iso_code',
        field: 'iso_code',
        reason: `"${iso}" is not ${ISO_FORMAT[input.kind]}`,
      });
    } else if (
      input.kind === 'city' &&
      parent.iso_code !== null &&
      iso.slice(0, 2) !== parent.iso_code.slice(0, 2)
    ) {
      // ISO 3166-2 codes begin with the alpha-2 code of their country.
      problems.push({
        pointer: '/iso_code',
        field: 'iso_code',
        reason: `"${iso}" is not in the country ${parent.iso_code} of organisation "${parent.code}"`,
      });
    }
  }
  return problems;
}

/** Places a new organisation below `parentId`; the caller has already checked that it may act for the parent. */
export async function createOrganisation(
  db: Kysely<Schema>,
  input: NewOrganisation,
): Promise<OrganisationRow> {
  const parent = await db
    .selectFrom('organisation')
    .select(['kind', 'code', 'iso_code'])
    .where('id', '=', input.parentId)
    .executeTakeFirst();
  if (!parent) throw notFound(`organisation ${input.parentId}`);
  // ISO codes are upper case by definition; accept "bd" for "BD".
  const isoCode = input.isoCode?.toUpperCase();
  const problems = organisationProblems(parent, { kind: input.kind, isoCode });
  if (problems.length > 0) {
    throw new Ew4eError('EW4E_BAD_REQUEST', problems.map((p) => p.reason).join('; '), problems);
  }
  return uniquely(`organisation "${input.code}"`, () =>
    db
      .insertInto('organisation')
      .values({
        parent_id: input.parentId,
        kind: input.kind,
        code: input.code,
        name: input.name,
        iso_code: isoCode ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
}

export async function listOrganisations(
  db: Kysely<Schema>,
  readable: readonly number[],
): Promise<OrganisationRow[]> {
  if (readable.length === 0) return [];
  return db
    .selectFrom('organisation')
    .selectAll()
    .where('id', 'in', [...readable])
    .orderBy('id')
    .execute();
}

export async function findOrganisation(
  db: Kysely<Schema>,
  id: number,
  readable: readonly number[],
): Promise<OrganisationRow | undefined> {
  if (!readable.includes(id)) return undefined;
  return db.selectFrom('organisation').selectAll().where('id', '=', id).executeTakeFirst();
}

// ---- users

/** A user as the outside may see it: whether a password is set, never its hash. */
export interface UserRow {
  readonly id: number;
  readonly organisation_id: number;
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  readonly has_password: boolean;
  readonly created_at: Date;
}

export interface NewUser {
  readonly organisationId: number;
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  /** Plain text, hashed here with scrypt and never stored as given. */
  readonly password?: string | undefined;
}

/**
 * Addresses are compared case-insensitively: in practice no mail system distinguishes "Ana@x.org" from
 * "ana@x.org", and two accounts that differ only in case would be a trap.
 */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function createUser(db: Kysely<Schema>, input: NewUser): Promise<UserRow> {
  const email = normaliseEmail(input.email);
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  return uniquely(`user "${email}"`, () =>
    db
      .insertInto('app_user')
      .values({
        organisation_id: input.organisationId,
        email,
        name: input.name,
        role: input.role,
        password_hash: passwordHash,
      })
      .returning((eb) => [
        ...USER_COLUMNS,
        eb('password_hash', 'is not', null).$castTo<boolean>().as('has_password'),
      ])
      .executeTakeFirstOrThrow(),
  );
}

const USER_COLUMNS = ['id', 'organisation_id', 'email', 'name', 'role', 'created_at'] as const;

export async function listUsers(db: Kysely<Schema>, readable: readonly number[]): Promise<UserRow[]> {
  if (readable.length === 0) return [];
  return db
    .selectFrom('app_user')
    .select((eb) => [
      ...USER_COLUMNS,
      eb('password_hash', 'is not', null).$castTo<boolean>().as('has_password'),
    ])
    .where('organisation_id', 'in', [...readable])
    .orderBy('id')
    .execute();
}

export async function findUser(
  db: Kysely<Schema>,
  id: number,
  readable: readonly number[],
): Promise<UserRow | undefined> {
  if (readable.length === 0) return undefined;
  return db
    .selectFrom('app_user')
    .select((eb) => [
      ...USER_COLUMNS,
      eb('password_hash', 'is not', null).$castTo<boolean>().as('has_password'),
    ])
    .where('id', '=', id)
    .where('organisation_id', 'in', [...readable])
    .executeTakeFirst();
}

// ---- API keys (creation: createApiKey in access.repository.ts)

/** An API key as lists show it: its prefix to recognise it by, never the key or its hash. */
export interface ApiKeyRow {
  readonly id: number;
  readonly name: string;
  readonly prefix: string;
  readonly role: Role;
  /** null: all the role allows. */
  readonly scopes: Scope[] | null;
  readonly organisation_id: number;
  readonly created_at: Date;
  readonly last_used_at: Date | null;
  readonly revoked_at: Date | null;
}

const API_KEY_COLUMNS = [
  'id',
  'name',
  'prefix',
  'role',
  'scopes',
  'organisation_id',
  'created_at',
  'last_used_at',
  'revoked_at',
] as const;

export async function listApiKeys(
  db: Kysely<Schema>,
  readable: readonly number[],
  options: { readonly includeRevoked: boolean },
): Promise<ApiKeyRow[]> {
  if (readable.length === 0) return [];
  let query = db
    .selectFrom('api_key')
    .select(API_KEY_COLUMNS)
    .where('organisation_id', 'in', [...readable]);
  if (!options.includeRevoked) query = query.where('revoked_at', 'is', null);
  return query.orderBy('id').execute();
}

/**
 * Revokes a key of a readable organisation; false when there is none. Revoking twice keeps the first time,
 * so that DELETE is idempotent and the record of when the key stopped working stays true.
 */
export async function revokeApiKey(
  db: Kysely<Schema>,
  id: number,
  readable: readonly number[],
): Promise<{ organisation_id: number; prefix: string } | undefined> {
  if (readable.length === 0) return undefined;
  return db
    .updateTable('api_key')
    .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.fn<Date>('now')) }))
    .where('id', '=', id)
    .where('organisation_id', 'in', [...readable])
    .returning(['organisation_id', 'prefix'])
    .executeTakeFirst();
}
