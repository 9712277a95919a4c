/**
 * @module A private NATS server with JetStream for tests and benches that kill and restart it: a free
 * loopback port and a temp store folder, never the machine's shared server.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { freePort } from './server-process.ts';

const BIN =
  process.env.EW4E_TEST_NATS_BIN ??
  (existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server');

export interface PrivateNats {
  /** nats://127.0.0.1:<port> */
  readonly url: string;
  /** The server's process id while it runs (for measuring its CPU). */
  readonly pid: number | undefined;
  /** Starts the server on the same port and store folder (streams and consumers come back) and waits for JetStream. */
  start(): Promise<void>;
  /** kill -9: no goodbye to the clients, which keep reconnecting. */
  kill(): Promise<void>;
  /** Kills the server if it runs and removes its store. */
  dispose(): Promise<void>;
}

export async function startPrivateNats(): Promise<PrivateNats> {
  const storeDir = await mkdtemp(path.join(os.tmpdir(), 'ew4e-private-nats-'));
  const port = await freePort();
  const url = `nats://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const kill = async () => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  const nats: PrivateNats = {
    url,
    get pid() {
      return child?.pid;
    },
    start: async () => {
      child = spawn(BIN, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], {
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      await untilJetStreamAnswers(url, child);
    },
    kill,
    dispose: async () => {
      await kill();
      await rm(storeDir, { recursive: true, force: true });
    },
  };
  await nats.start();
  return nats;
}

async function untilJetStreamAnswers(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nats-server exited with ${child.exitCode}`);
    try {
      const nc = await connect({ servers: url, reconnect: false, timeout: 1_000 });
      try {
        await (await jetstreamManager(nc)).getAccountInfo();
        return;
      } finally {
        await nc.close();
      }
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
