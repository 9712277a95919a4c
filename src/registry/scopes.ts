/** @module API key scopes: what a key may be used for, beside the role that says how much it may do. Pure. */
import { Ew4eError } from '../errors.ts';

/**
 * Each route declares one scope next to its role (`config: { role, scope }`); docs/api-key-scopes.md lists
 * which routes each covers. A key without scopes keeps its role's full power, as keys made before scopes did.
 */
export const SCOPES = [
  /** every GET, and computations that change nothing (the 30x30 what-if) */
  'read',
  /** observations and species occurrences in */
  'observations:write',
  /** events in, and CAP alerts pushed by other authorities */
  'events:write',
  /** what is monitored and how: sources, stations, series, areas, rules, protected areas, sensitive species, CAP sources, trend and soil evaluations */
  'monitoring:write',
  /** approve, reject and cancel warnings, record their verification, silence hazards */
  'warnings:review',
  /** incidents, their tasks and notes, acknowledging deliveries */
  'incidents:write',
  /** subscriptions of the organisation */
  'subscriptions:manage',
  /** organisations, users, API keys, signing keys */
  'admin',
] as const;
export type Scope = (typeof SCOPES)[number];

/** Whether a caller with `granted` scopes may use a route that needs `needed`; undefined means unrestricted. */
export function scopeAllows(granted: readonly Scope[] | undefined, needed: Scope): boolean {
  return granted === undefined || granted.includes(needed);
}

/** The sorted, duplicate-free scopes of a new key; undefined (no restriction) when none are asked for. */
export function normaliseScopes(scopes: readonly string[] | undefined): readonly Scope[] | undefined {
  if (scopes === undefined) return undefined;
  const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0) {
    throw new Ew4eError('EW4E_BAD_REQUEST', `unknown scope(s): ${unknown.join(', ')}`, [
      { pointer: '/scopes', reason: `known scopes: ${SCOPES.join(', ')}` },
    ]);
  }
  if (scopes.length === 0) {
    throw new Ew4eError('EW4E_BAD_REQUEST', 'a key needs at least one scope, or none listed for all', [
      { pointer: '/scopes', reason: 'empty' },
    ]);
  }
  return SCOPES.filter((s) => scopes.includes(s));
}

/**
 * No one hands out more than they hold: a scoped caller may only create keys with a subset of its own scopes
 * (never an unrestricted one); an unrestricted caller may create any.
 */
export function mayGrantScopes(
  granted: readonly Scope[] | undefined,
  asked: readonly Scope[] | undefined,
): void {
  if (granted === undefined) return;
  const beyond = asked === undefined ? ['(all scopes)'] : asked.filter((s) => !granted.includes(s));
  if (beyond.length > 0) {
    throw new Ew4eError(
      'EW4E_FORBIDDEN',
      `a key with the scopes ${granted.join(', ')} cannot grant ${beyond.join(', ')}`,
    );
  }
}
