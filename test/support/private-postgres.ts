/**
 * @module A private PostgreSQL server for fault tests (stop it, kill it, start it again) in a temp folder on a
 * free port, never the machine's shared one. initdb refuses to run as root, so as root it runs as the
 * `postgres` OS user.
 */
import { execFile } from 'node:child_process';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './server-process.ts';

const run = promisify(execFile);
const BIN = process.env.EW4E_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  readonly url: string;
  readonly port: number;
  start(): Promise<void>;
  /** `pg_ctl stop -m immediate`: every backend is killed at once, as in a crash; recovery replays the WAL. */
  stopImmediately(): Promise<void>;
  /** Stops the server if it runs and removes its folder. */
  dispose(): Promise<void>;
}

async function postgresUserIds(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'ew4e-private-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { uid, gid } = await postgresUserIds();
    await chown(folder, uid, gid);
  }
  const tool = (name: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', path.join(BIN, name), ...args])
      : run(path.join(BIN, name), args);
  const dataDir = path.join(folder, 'data');
  const port = await freePort();
  // fsync off: the faults here kill processes, not the machine, so written pages stay in the OS cache.
  const serverOptions = `-p ${port} -k ${folder} -c listen_addresses=127.0.0.1 -c fsync=off`;
  let running = false;
  await tool('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync']);
  const pg: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start: async () => {
      await tool('pg_ctl', [
        '-D',
        dataDir,
        '-o',
        serverOptions,
        '-l',
        path.join(folder, 'log'),
        '-w',
        'start',
      ]);
      running = true;
    },
    stopImmediately: async () => {
      await tool('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      running = false;
    },
    dispose: async () => {
      if (running) await pg.stopImmediately().catch(() => undefined);
      await rm(folder, { recursive: true, force: true });
    },
  };
  try {
    await pg.start();
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
  return pg;
}
