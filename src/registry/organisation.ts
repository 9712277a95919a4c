/** @module Organisations form a tree: one global root, countries below it (ISO 3166-1), cities below countries. */

export const ORGANISATION_KINDS = ['global', 'country', 'city'] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];

/** The kind a child of `parent` must have: global → country → city. */
export function childKindOf(parent: OrganisationKind): OrganisationKind | undefined {
  switch (parent) {
    case 'global':
      return 'country';
    case 'country':
      return 'city';
    case 'city':
      return undefined;
    default:
      return assertNever(parent);
  }
}

/** ISO 3166-1 alpha-2 for a country ("BD"), ISO 3166-2 for a city's subdivision ("BD-13"). */
export function isValidIsoCode(kind: OrganisationKind, code: string): boolean {
  switch (kind) {
    case 'global':
      return false;
    case 'country':
      return /^[A-Z]{2}$/.test(code);
    case 'city':
      return /^[A-Z]{2}(-[A-Z0-9]{1,3})?$/.test(code);
    default:
      return assertNever(kind);
  }
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value ${String(value)}`);
}
