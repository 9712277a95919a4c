/** @module Unique-key violations become EW4E_CONFLICT (409), the same on PGlite and PostgreSQL. */
import { Ew4eError } from '../errors.ts';

/** Postgres (and PGlite) report a unique violation with SQLSTATE 23505. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}

export async function uniquely<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isUniqueViolation(error))
      throw new Ew4eError('EW4E_CONFLICT', `${what} already exists`, [], { cause: error });
    throw error;
  }
}
