/** The error registry and docs/errors.md name the same codes with the same statuses. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/errors.ts';

describe('docs/errors.md', () => {
  it('documents every registered code with its status, and nothing else', () => {
    const doc = readFileSync('docs/errors.md', 'utf8');
    const documented = new Map(
      [...doc.matchAll(/^\| `(EW4E_[A-Z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]),
    );
    const registered = new Map(Object.entries(ERROR_CODES).map(([code, e]) => [code, e.status]));
    expect(documented).toEqual(registered);
  });
});
