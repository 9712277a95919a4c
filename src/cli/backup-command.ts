/** @module `ew4e backup <file>` and `ew4e restore <file> [--force]`, with a progress bar per table on a terminal. */
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import type { Config } from '../config.ts';
import { Ew4eError } from '../errors.ts';
import type { TableProgress } from '../store/backup/backup.ts';
import { writeBackup } from '../store/backup/backup.ts';
import type { BackupManifest } from '../store/backup/backup-manifest.ts';
import { restoreBackup } from '../store/backup/restore.ts';
import { openDatabase } from '../store/database.ts';

export async function backupCommand(config: Config, file: string): Promise<void> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const progress = tableProgress();
  try {
    const manifest = await writeBackup(database, file, { onProgress: progress.update });
    progress.stop();
    console.log(`${file}: ${summary(manifest)}`);
  } finally {
    progress.stop();
    await database.close();
  }
  endProcess();
}

export async function restoreCommand(
  config: Config,
  file: string,
  options: { force?: boolean },
): Promise<void> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const progress = tableProgress();
  try {
    const manifest = await restoreBackup(database, file, {
      force: options.force === true,
      onProgress: progress.update,
    });
    progress.stop();
    console.log(`restored ${file}: ${summary(manifest)}, made ${manifest.createdAt} on ${manifest.backend}`);
  } catch (error) {
    progress.stop();
    // The refusals a user can act on are told in a sentence; anything else is a bug and keeps its stack.
    if (!(error instanceof Ew4eError)) throw error;
    console.error(`${error.message} (${error.code}); the database was left as it was`);
    process.exitCode = 2;
  } finally {
    await database.close();
  }
  endProcess();
}

/**
 * PGlite 0.5 can leave a WASM timer behind after close (PostgreSQL's 10 s idle flush of statistics, re-armed from
 * then on), which keeps Node running: the command ends itself once its work is done and its output written.
 */
function endProcess(): never {
  process.exit();
}

function summary(manifest: BackupManifest): string {
  const rows = manifest.tables.reduce((n, t) => n + t.rows, 0);
  const bytes = manifest.tables.reduce((n, t) => n + t.bytes, 0);
  return (
    `${manifest.tables.length} tables, ${rows.toLocaleString('en')} rows ` +
    `(${(bytes / 1e6).toFixed(1)} MB as text), schema ${manifest.schemaVersion}`
  );
}

/** One bar per table on a terminal; elsewhere (logs, CI) one line per table when it is done. */
function tableProgress(): { update: (p: TableProgress) => void; stop: () => void } {
  if (!process.stderr.isTTY) {
    return {
      update: (p) => {
        if (p.done) console.error(`  ${p.table}: ${p.rows} rows`);
      },
      stop: () => undefined,
    };
  }
  const bars = new MultiBar(
    {
      format: '{bar} {table} | {value}/{total} rows',
      hideCursor: true,
      clearOnComplete: false,
      stream: process.stderr,
    },
    Presets.shades_classic,
  );
  const byTable = new Map<string, SingleBar>();
  let stopped = false;
  return {
    update: (p) => {
      let bar = byTable.get(p.table);
      if (!bar) {
        bar = bars.create(Math.max(p.expectedRows, 1), 0, { table: p.table.padEnd(24) });
        byTable.set(p.table, bar);
      }
      // The planner's estimate can be short: the bar grows rather than overflowing.
      if (p.rows > bar.getTotal() || p.done) bar.setTotal(Math.max(p.rows, 1));
      bar.update(p.rows);
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      bars.stop();
    },
  };
}
