import { describe, expect, it } from 'vitest';
import { DEFAULT_SCRYPT, hashPassword, parseHash, verifyPassword } from './password.ts';

/** Cheap parameters for the tests that are about the format, not the cost. */
const FAST = { N: 2 ** 10, r: 8, p: 1 };

describe('scrypt password hashes', () => {
  it('accepts the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('writes scrypt$N$r$p$salt$hash with the default parameters', async () => {
    const stored = await hashPassword('a long enough password');
    const { N, r, p } = DEFAULT_SCRYPT;
    expect(stored).toMatch(
      new RegExp(`^scrypt\\$${N}\\$${r}\\$${p}\\$[A-Za-z0-9+/]+={0,2}\\$[A-Za-z0-9+/]+={0,2}$`),
    );
    expect(stored).not.toContain('a long enough password');
  });

  it('salts each hash, so that equal passwords give different hashes', async () => {
    const a = await hashPassword('the same password', FAST);
    const b = await hashPassword('the same password', FAST);
    expect(a).not.toBe(b);
    expect(await verifyPassword('the same password', a)).toBe(true);
    expect(await verifyPassword('the same password', b)).toBe(true);
  });

  it('verifies with the parameters stored in the hash, not the current defaults', async () => {
    const stored = await hashPassword('an older, cheaper hash', FAST);
    expect(stored.startsWith(`scrypt$${FAST.N}$${FAST.r}$${FAST.p}$`)).toBe(true);
    expect(await verifyPassword('an older, cheaper hash', stored)).toBe(true);
  });

  it('treats Unicode compositions of the same text as the same password', async () => {
    const stored = await hashPassword('Ma\u0301laga por la noche', FAST);
    expect(await verifyPassword('M\u00e1laga por la noche', stored)).toBe(true);
  });

  it('refuses malformed, tampered or absurdly expensive hashes without throwing', async () => {
    const stored = await hashPassword('some password here', FAST);
    const [, , , , salt, hash] = stored.split('$');
    for (const bad of [
      '',
      'plain text',
      'bcrypt$10$abc',
      `scrypt$1000$8$1$${salt}$${hash}`, // N not a power of two
      `scrypt$${2 ** 30}$8$1$${salt}$${hash}`, // N far too large
      `scrypt$1024$0$1$${salt}$${hash}`,
      `scrypt$1024$8$99$${salt}$${hash}`,
      `scrypt$1024$8$1$not*base64$${hash}`,
      `scrypt$1024$8$1$${salt}$`,
      `${stored}$extra`,
    ]) {
      expect(parseHash(bad), bad).toBeUndefined();
      expect(await verifyPassword('some password here', bad), bad).toBe(false);
    }
    const bytes = Buffer.from(hash!, 'base64');
    bytes[0]! ^= 1;
    const tampered = [...stored.split('$').slice(0, 5), bytes.toString('base64')].join('$');
    expect(parseHash(tampered)).toBeDefined();
    expect(await verifyPassword('some password here', tampered)).toBe(false);
  });
});
