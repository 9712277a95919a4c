/** @module Runs the `ew4e` command as a user would, against a test database, and collects what it printed. */
import { spawn } from 'node:child_process';
import type { TestDatabase } from './test-database.ts';

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node bin/ew4e.mjs …args` against the database at `location` (a PGlite folder or a PostgreSQL URL). */
export function runEw4e(args: readonly string[], location: TestDatabase['location']): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent' };
  if ('dataDir' in location) {
    env.EW4E_DATA_DIR = location.dataDir;
    delete env.DATABASE_URL;
  } else env.DATABASE_URL = location.databaseUrl;
  const child = spawn(process.execPath, ['bin/ew4e.mjs', ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
