/**
 * @module Password hashing: argon2id (RFC 9106) in the PHC string format for new passwords; scrypt (RFC 7914)
 * hashes of earlier versions, `scrypt$N$r$p$saltB64$hashB64`, still verify and are replaced at the next sign-in.
 * Pure: no storage here.
 */
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';
import { hash as argon2Hash, verify as argon2Verify, parseOptions } from '@node-rs/argon2';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 1024;

export interface Argon2Parameters {
  /** Memory in KiB. */
  readonly memoryCost: number;
  /** Passes over the memory. */
  readonly timeCost: number;
  readonly parallelism: number;
}

/**
 * The OWASP Password Storage Cheat Sheet's first argon2id setting (m=19 MiB, t=2, p=1): about 20 ms of one core
 * and 19 MiB per sign-in, which keeps a burst of sign-ins affordable; the rate limit on /auth/login does the rest.
 */
export const DEFAULT_ARGON2: Argon2Parameters = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/** Argon2id (RFC 9106 §3.1: type 2); @node-rs/argon2's enum is a const enum, which isolated modules cannot read. */
const ARGON2ID = 2;

/**
 * Bounds on parameters read back from a stored hash, so that a tampered or corrupt row cannot make
 * verification allocate gigabytes or spin for minutes.
 */
const MAX_ARGON2_MEMORY_KIB = 262_144;
const MAX_ARGON2_TIME = 16;
const MAX_ARGON2_PARALLELISM = 16;

export async function hashPassword(
  password: string,
  parameters: Argon2Parameters = DEFAULT_ARGON2,
): Promise<string> {
  return argon2Hash(password.normalize('NFC'), { ...parameters, algorithm: ARGON2ID });
}

/** True only when `stored` is a well-formed argon2id or scrypt hash of `password`; malformed hashes verify nothing. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (stored.startsWith('$argon2id$')) {
    if (!argon2WithinBounds(stored)) return false;
    return argon2Verify(stored, password.normalize('NFC')).catch(() => false);
  }
  const parsed = parseScryptHash(stored);
  if (parsed === undefined) return false;
  const candidate = await deriveScrypt(password, parsed.salt, parsed.hash.length, parsed.parameters);
  return timingSafeEqual(candidate, parsed.hash);
}

/** Whether a hash that just verified should be replaced: scrypt, or argon2id weaker than today's parameters. */
export function needsRehash(stored: string, parameters: Argon2Parameters = DEFAULT_ARGON2): boolean {
  if (!stored.startsWith('$argon2id$')) return true;
  try {
    const used = parseOptions(stored);
    return (
      used.memoryCost < parameters.memoryCost ||
      used.timeCost < parameters.timeCost ||
      used.parallelism < parameters.parallelism
    );
  } catch {
    return true;
  }
}

function argon2WithinBounds(stored: string): boolean {
  try {
    const { memoryCost, timeCost, parallelism } = parseOptions(stored);
    return (
      memoryCost <= MAX_ARGON2_MEMORY_KIB &&
      timeCost <= MAX_ARGON2_TIME &&
      parallelism <= MAX_ARGON2_PARALLELISM
    );
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- scrypt, for hashes written before argon2id

export interface ScryptParameters {
  /** CPU/memory cost, a power of two. */
  readonly N: number;
  /** Block size. */
  readonly r: number;
  /** Parallelisation. */
  readonly p: number;
}

/** What earlier versions wrote (OWASP's N=2^15, r=8, p=3); only tests make new scrypt hashes now. */
export const LEGACY_SCRYPT: ScryptParameters = { N: 2 ** 15, r: 8, p: 3 };

const SALT_BYTES = 16;
const HASH_BYTES = 32;

const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

/** A hash as earlier versions wrote it, for tests of the upgrade path. */
export async function hashPasswordScrypt(
  password: string,
  parameters: ScryptParameters = LEGACY_SCRYPT,
): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await deriveScrypt(password, salt, HASH_BYTES, parameters);
  const { N, r, p } = parameters;
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

interface ParsedScryptHash {
  readonly parameters: ScryptParameters;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function parseScryptHash(stored: string): ParsedScryptHash | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const parameters = { N: Number(n), r: Number(r), p: Number(p) };
  if (!isPowerOfTwo(parameters.N) || parameters.N > MAX_N) return undefined;
  if (!isInRange(parameters.r, MAX_R) || !isInRange(parameters.p, MAX_P)) return undefined;
  if (!BASE64.test(salt) || !BASE64.test(hash)) return undefined;
  const saltBytes = Buffer.from(salt, 'base64');
  const hashBytes = Buffer.from(hash, 'base64');
  if (saltBytes.length < 8 || hashBytes.length < 16) return undefined;
  return { parameters, salt: saltBytes, hash: hashBytes };
}

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 1 && (n & (n - 1)) === 0;
}

function isInRange(n: number, max: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= max;
}

function deriveScrypt(
  password: string,
  salt: Buffer,
  length: number,
  { N, r, p }: ScryptParameters,
): Promise<Buffer> {
  // scrypt needs about 128·N·r bytes; Node's default ceiling (32 MiB) is just too small for N=2^15, r=8.
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, length, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}
