import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ARGON2,
  hashPassword,
  hashPasswordScrypt,
  needsRehash,
  parseScryptHash,
  verifyPassword,
} from './password.ts';

/** Cheap parameters for the tests that are about the format, not the cost. */
const FAST_SCRYPT = { N: 2 ** 10, r: 8, p: 1 };
const FAST_ARGON2 = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

describe('argon2id password hashes', () => {
  it('accepts the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('writes a PHC string with OWASP parameters (m=19 MiB, t=2, p=1), never the password', async () => {
    const stored = await hashPassword('a long enough password');
    const { memoryCost, timeCost, parallelism } = DEFAULT_ARGON2;
    expect(stored).toMatch(
      new RegExp(
        `^\\$argon2id\\$v=19\\$m=${memoryCost},t=${timeCost},p=${parallelism}\\$[A-Za-z0-9+/]+\\$[A-Za-z0-9+/]+$`,
      ),
    );
    expect(memoryCost).toBeGreaterThanOrEqual(19_456);
    expect(stored).not.toContain('a long enough password');
    expect(needsRehash(stored)).toBe(false);
  });

  it('salts each hash, so that equal passwords give different hashes', async () => {
    const a = await hashPassword('the same password', FAST_ARGON2);
    const b = await hashPassword('the same password', FAST_ARGON2);
    expect(a).not.toBe(b);
    expect(await verifyPassword('the same password', a)).toBe(true);
    expect(await verifyPassword('the same password', b)).toBe(true);
  });

  it('asks for a re-hash of weaker argon2id parameters and of every scrypt hash', async () => {
    expect(needsRehash(await hashPassword('x'.repeat(12), FAST_ARGON2))).toBe(true);
    expect(needsRehash(await hashPasswordScrypt('x'.repeat(12), FAST_SCRYPT))).toBe(true);
    expect(needsRehash('garbage')).toBe(true);
  });

  it('treats Unicode compositions of the same text as the same password', async () => {
    const stored = await hashPassword('Ma\u0301laga por la noche', FAST_ARGON2);
    expect(await verifyPassword('M\u00e1laga por la noche', stored)).toBe(true);
  });

  it('refuses malformed, tampered or absurdly expensive argon2id hashes without throwing', async () => {
    const stored = await hashPassword('some password here', FAST_ARGON2);
    const parts = stored.split('$');
    const digest = Buffer.from(parts[5]!, 'base64');
    digest[0]! ^= 1;
    const tampered = [...parts.slice(0, 5), digest.toString('base64').replace(/=+$/, '')].join('$');
    for (const bad of [
      tampered,
      stored.replace('m=1024', 'm=4194304'), // 4 GiB
      stored.replace('t=1', 't=1000'),
      '$argon2id$v=19$m=1024,t=1,p=1$!!!$???',
      '$argon2id$',
    ]) {
      expect(await verifyPassword('some password here', bad), bad).toBe(false);
    }
  });
});

describe('scrypt password hashes of earlier versions', () => {
  it('still verify, with the parameters stored in the hash', async () => {
    const stored = await hashPasswordScrypt('an older, cheaper hash', FAST_SCRYPT);
    expect(stored.startsWith(`scrypt$${FAST_SCRYPT.N}$${FAST_SCRYPT.r}$${FAST_SCRYPT.p}$`)).toBe(true);
    expect(await verifyPassword('an older, cheaper hash', stored)).toBe(true);
    expect(await verifyPassword('an older, cheaper hasH', stored)).toBe(false);
  });

  it('refuses malformed, tampered or absurdly expensive hashes without throwing', async () => {
    const stored = await hashPasswordScrypt('some password here', FAST_SCRYPT);
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
      expect(parseScryptHash(bad), bad).toBeUndefined();
      expect(await verifyPassword('some password here', bad), bad).toBe(false);
    }
    const bytes = Buffer.from(hash!, 'base64');
    bytes[0]! ^= 1;
    const tampered = [...stored.split('$').slice(0, 5), bytes.toString('base64')].join('$');
    expect(parseScryptHash(tampered)).toBeDefined();
    expect(await verifyPassword('some password here', tampered)).toBe(false);
  });
});
