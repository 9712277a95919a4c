/** @module Who may do what: roles, API keys and the caller of a request. Pure: no storage here. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const ROLES = ['viewer', 'analyst', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Each role can do what the roles before it can. */
const RANK: Readonly<Record<Role, number>> = { viewer: 0, analyst: 1, approver: 2, admin: 3 };

export function roleAtLeast(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

/** The authenticated caller: its organisation, and the organisations whose data it may read (its own and those below it). */
export interface Caller {
  readonly keyId: number;
  readonly organisationId: number;
  readonly role: Role;
  readonly readableOrganisationIds: readonly number[];
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
