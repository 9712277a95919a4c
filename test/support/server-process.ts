/** @module `ew4e serve` as a real child process on a free loopback port, for tests and benches that kill, restart or load it. */
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface ServerProcess {
  readonly child: ChildProcess;
  /** http://127.0.0.1:<port> */
  readonly base: string;
  /** SIGTERM (a graceful close), SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts `bin/ew4e.mjs serve ...args` with `env` added to this process's environment (PORT and HOST are set
 * here) and waits until GET /health answers 200. The dashboard is not built: EW4E_WEB_DIR points at a folder
 * without one unless `env` names another.
 */
export async function startServerProcess(
  env: Readonly<Record<string, string | undefined>>,
  args: readonly string[] = [],
  { healthTimeoutMs = 60_000, stderr = 'inherit' as 'inherit' | 'ignore' } = {},
): Promise<ServerProcess> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['bin/ew4e.mjs', 'serve', ...args], {
    env: {
      ...process.env,
      EW4E_WEB_DIR: path.join(os.tmpdir(), 'ew4e-no-dashboard'),
      LOG_LEVEL: 'warn',
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'ignore', stderr],
  });
  const stop = async (graceMs = 5_000) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited(child);
      clearTimeout(timer);
    }
  };
  const deadline = Date.now() + healthTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`ew4e serve exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${base}/health`)).ok) return { child, base, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop(0);
      throw new Error(`ew4e serve did not become healthy within ${healthTimeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
