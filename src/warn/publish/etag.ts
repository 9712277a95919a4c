/** @module A strong ETag (RFC 9110 §8.8.3) of a representation: the same bytes, the same tag, wherever it is computed. */
import { createHash } from 'node:crypto';

export function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}
