/**
 * @module Builds the dashboard (web/ → web/dist) when its sources changed since the last build, so that the
 * README's first command serves it on a fresh clone without a separate step. A hash of the sources is kept
 * beside the build; an unchanged tree costs one directory walk.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const WEB_ROOT = import.meta.dirname;
export const WEB_DIST = join(WEB_ROOT, 'dist');
const STAMP = join(WEB_DIST, '.source-hash');

async function sourceHash(): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (dir: string): Promise<void> => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else hash.update(path).update(await readFile(path));
    }
  };
  await walk(join(WEB_ROOT, 'src'));
  for (const file of ['index.html', 'vite.config.ts', '../package-lock.json']) {
    hash.update(file).update(await readFile(join(WEB_ROOT, file)).catch(() => Buffer.alloc(0)));
  }
  return hash.digest('hex');
}

/** Builds when needed; returns whether it built. */
export async function ensureWebBuild(log: (message: string) => void = () => undefined): Promise<boolean> {
  const wanted = await sourceHash();
  const built = await readFile(STAMP, 'utf8').catch(() => '');
  const hasIndex = await stat(join(WEB_DIST, 'index.html')).then(
    () => true,
    () => false,
  );
  if (built === wanted && hasIndex) return false;
  log('building the dashboard (web/ → web/dist)…');
  const { build } = await import('vite');
  await build({ configFile: join(WEB_ROOT, 'vite.config.ts'), logLevel: 'warn' });
  await writeFile(STAMP, wanted);
  return true;
}
