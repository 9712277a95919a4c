/** @module Test helpers that run the real Debian binaries on CAP documents: xmllint (schema), xmlsec1 (XML-DSig) and openssl (test keys). */

import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: this file lives in `test/support/`. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The shared CAP test material (README.md there), which sits beside the repository as `../shared/cap`. */
export const SHARED_CAP_DIR = resolve(REPO_ROOT, '../shared/cap');

/** The official OASIS CAP 1.2 schema in the shared material. */
export const CAP_XSD_PATH = join(SHARED_CAP_DIR, 'CAP-v1.2.xsd');

interface ProcessOutcome {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a binary without a shell; a non-zero exit is an outcome to report, not an exception. */
function run(file: string, args: readonly string[]): Promise<ProcessOutcome> {
  return new Promise((done, fail) => {
    execFile(file, args, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error === null) {
        done({ exitCode: 0, stdout, stderr });
      } else if (typeof error.code === 'number') {
        done({ exitCode: error.code, stdout, stderr });
      } else {
        // ENOENT and the like: the binary itself is missing, which no test should read as "invalid".
        fail(error);
      }
    });
  });
}

/**
 * Gives the callback a private temporary directory and removes it afterwards. A directory per call
 * is what lets many validations run at once without overwriting each other's files.
 */
async function inTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'ew4e-cap-tools-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The lines a tool wrote, without its file-name prefix noise or blank lines. */
const linesOf = (text: string): string =>
  text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .join('\n');

/**
 * Runs the real `xmllint --nonet --noout --schema ../shared/cap/CAP-v1.2.xsd` on a document; ok when
 * exit 0, else the stderr lines. `--nonet`: nothing the document names (DTD, entities) is fetched.
 */
export async function xmllintValidate(xml: string): Promise<{ ok: boolean; output: string }> {
  return inTempDir(async (dir) => {
    const file = join(dir, 'alert.xml');
    await writeFile(file, xml, 'utf8');
    const outcome = await run('xmllint', ['--nonet', '--noout', '--schema', CAP_XSD_PATH, file]);
    return { ok: outcome.exitCode === 0, output: linesOf(outcome.stderr) };
  });
}

/**
 * Runs `xmlsec1 --verify` with the given certificate or public key PEM. The key is handed over as a
 * bare key (`--pubkey-cert-pem` / `--pubkey-pem`) and neither X509Data nor KeyValue in the document
 * is read (`--enabled-key-data key-name`): the signature must verify with exactly this key, whatever
 * the document carries, and no CA store is consulted. Only `URI=""` references
 * are followed, the one form a CAP enveloped signature uses.
 */
export async function xmlsecVerify(
  xml: string,
  key: { certificatePem: string } | { publicKeyPem: string },
): Promise<{ ok: boolean; output: string }> {
  return inTempDir(async (dir) => {
    const file = join(dir, 'alert.xml');
    const keyFile = join(dir, 'key.pem');
    await writeFile(file, xml, 'utf8');
    const [keyOption, pem] =
      'certificatePem' in key
        ? ['--pubkey-cert-pem', key.certificatePem]
        : ['--pubkey-pem', key.publicKeyPem];
    await writeFile(keyFile, pem, 'utf8');
    const outcome = await run('xmlsec1', [
      '--verify',
      '--enabled-reference-uris',
      'empty',
      '--enabled-key-data',
      'key-name',
      keyOption,
      keyFile,
      file,
    ]);
    return { ok: outcome.exitCode === 0, output: linesOf(`${outcome.stdout}\n${outcome.stderr}`) };
  });
}

/** `openssl -subj` reads `/` as the start of the next attribute and `\` as an escape: escape both. */
const subjectValue = (text: string): string => text.replace(/[\\/]/g, (c) => `\\${c}`);

/**
 * Makes a key pair and self-signed certificate (openssl) for tests: kind 'rsa' (2048 bits) | 'ec'
 * (P-256). The keys come from node:crypto; the certificate from `openssl req -x509`, as an
 * alerting authority's would.
 */
export async function makeTestSigningKey(
  kind: 'rsa' | 'ec',
  commonName: string,
): Promise<{ privateKeyPem: string; publicKeyPem: string; certificatePem: string }> {
  const publicKeyEncoding = { type: 'spki', format: 'pem' } as const;
  const privateKeyEncoding = { type: 'pkcs8', format: 'pem' } as const;
  const { privateKey: privateKeyPem, publicKey: publicKeyPem } =
    kind === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding, privateKeyEncoding })
      : generateKeyPairSync('ec', { namedCurve: 'prime256v1', publicKeyEncoding, privateKeyEncoding });
  const certificatePem = await inTempDir(async (dir) => {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    await writeFile(keyFile, privateKeyPem, { encoding: 'utf8', mode: 0o600 });
    const outcome = await run('openssl', [
      'req',
      '-x509',
      '-new',
      '-key',
      keyFile,
      '-subj',
      `/CN=${subjectValue(commonName)}`,
      '-days',
      '365',
      '-out',
      certFile,
    ]);
    if (outcome.exitCode !== 0) {
      throw new Error(`openssl req -x509 failed (exit ${outcome.exitCode}): ${linesOf(outcome.stderr)}`);
    }
    return readFile(certFile, 'utf8');
  });
  return { privateKeyPem, publicKeyPem, certificatePem };
}
