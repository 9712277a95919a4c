/** @module Who may do what: roles, API keys and the caller of a request. Pure: no storage here. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Scope } from './scopes.ts';

export const ROLES = ['viewer', 'analyst', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Each role can do what the roles before it can. */
const RANK: Readonly<Record<Role, number>> = { viewer: 0, analyst: 1, approver: 2, admin: 3 };

export function roleAtLeast(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

/** The authenticated caller: its organisation, and the organisations whose data it may read (its own and those below it). */
export interface Caller {
  /** The API key's id; 0 for a signed-in dashboard user (identities start at 1, so 0 is never a key). */
  readonly keyId: number;
  /** Set when the caller is a signed-in user rather than a key. */
  readonly userId?: number;
  /** How audit logs and timelines name the caller: the user's name; keys are named by actorOf. */
  readonly actor?: string;
  readonly organisationId: number;
  readonly role: Role;
  /** What the key may be used for (registry/scopes.ts); undefined: everything its role allows (and users). */
  readonly scopes?: readonly Scope[];
  readonly readableOrganisationIds: readonly number[];
}

/** How audit logs and incident timelines name who acted: the signed-in user's name, else the key. */
export function actorOf(caller: Caller): string {
  return caller.actor ?? `key:${caller.keyId}`;
}

export interface NewApiKey {
  /** Shown to the user once, never stored. */
  readonly key: string;
  readonly prefix: string;
  readonly secretHash: string;
}

const KEY_PREFIX = 'ew4e_';

/** 32 random bytes: high entropy, so a plain SHA-256 hash is safe to store (no salt or slow KDF needed, unlike passwords). */
export function generateApiKey(): NewApiKey {
  const key = KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, prefix: displayPrefix(key), secretHash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function displayPrefix(key: string): string {
  return key.slice(0, KEY_PREFIX.length + 6);
}

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Reads the key from `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
export function apiKeyFromHeaders(
  headers: Record<string, string | string[] | undefined>,
): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (match) return match[1];
  }
  const header = headers['x-api-key'];
  return typeof header === 'string' && header.length > 0 ? header.trim() : undefined;
}

/** The dashboard's session cookie. It holds a random token; the database keeps only its SHA-256. */
export const SESSION_COOKIE = 'ew4e_session';
/** 12 hours, a long duty shift; then the user signs in again. */
export const SESSION_TTL_S = 43_200;

export interface NewSession {
  /** Goes into the cookie, never stored. */
  readonly token: string;
  /** What is stored: SHA-256 of the token, like an API key's hash (32 random bytes need no slow KDF). */
  readonly id: string;
  /** Sent back by the dashboard in `X-CSRF-Token` on every change (double submit). */
  readonly csrfToken: string;
}

export function generateSession(): NewSession {
  const token = randomBytes(32).toString('base64url');
  return { token, id: sessionIdOf(token), csrfToken: randomBytes(32).toString('base64url') };
}

export function sessionIdOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Compares two secrets in time independent of where they differ. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Methods that change nothing (RFC 9110 §9.2.1): a cookie alone may authenticate them; others need the CSRF token. */
export function isSafeMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}
