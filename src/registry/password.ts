/** @module Password hashing with scrypt (RFC 7914), stored as `scrypt$N$r$p$saltB64$hashB64`. Pure: no storage here. */
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 1024;

export interface ScryptParameters {
  /** CPU/memory cost, a power of two. */
  readonly N: number;
  /** Block size. */
  readonly r: number;
  /** Parallelisation. */
  readonly p: number;
}

/**
 * One of the equivalent settings of the OWASP Password Storage Cheat Sheet (N=2^15, r=8, p=3):
 * 32 MiB of memory per hash, which keeps concurrent logins affordable while matching N=2^17, p=1 in work.
 */
export const DEFAULT_SCRYPT: ScryptParameters = { N: 2 ** 15, r: 8, p: 3 };

const SALT_BYTES = 16;
const HASH_BYTES = 32;

/**
 * Bounds on parameters read back from a stored hash, so that a tampered or corrupt row cannot make
 * verification allocate gigabytes or spin for minutes.
 */
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

export async function hashPassword(
  password: string,
  parameters: ScryptParameters = DEFAULT_SCRYPT,
): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, HASH_BYTES, parameters);
  const { N, r, p } = parameters;
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** True only when `stored` is a well-formed scrypt hash of `password`; malformed hashes verify nothing. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (parsed === undefined) return false;
  const candidate = await derive(password, parsed.salt, parsed.hash.length, parsed.parameters);
  return timingSafeEqual(candidate, parsed.hash);
}

interface ParsedHash {
  readonly parameters: ScryptParameters;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function parseHash(stored: string): ParsedHash | undefined {
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

function derive(
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
