/** @module `ew4e audit verify`: walks the audit log's hash chain and names the first row that breaks it. */
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { configFromEnv } from '../config.ts';
import { AuditChainWalk, type ChainBreak } from '../registry/audit-chain.ts';
import { auditChain, auditChainLength } from '../store/audit.repository.ts';
import { type Database, openDatabase } from '../store/database.ts';
import { migrateToLatest } from '../store/migrate.ts';

export interface AuditVerification {
  readonly checked: number;
  /** The last row's hash: kept somewhere else, it also shows when rows were cut off the end. */
  readonly headHash: string | undefined;
  readonly broken?: ChainBreak;
}

/** Walks the whole chain; `onProgress` hears the running count (for a progress bar). */
export async function verifyAuditLog(
  database: Database,
  onProgress: (checked: number, total: number) => void = () => undefined,
): Promise<AuditVerification> {
  const total = await auditChainLength(database.db);
  const walk = new AuditChainWalk();
  let headHash: string | undefined;
  for await (const row of auditChain(database.db)) {
    if (walk.next(row) !== undefined) break;
    headHash = row.hash;
    if (walk.checked % 1000 === 0) onProgress(walk.checked, total);
  }
  onProgress(walk.checked, total);
  return walk.broken === undefined
    ? { checked: walk.checked, headHash }
    : { checked: walk.checked, headHash, broken: walk.broken };
}

export function registerAuditCommand(program: Command): void {
  const audit = program.command('audit').description('the audit log (warnings and security events)');
  audit
    .command('verify')
    .description(
      'walk the hash chain of the audit log: exit 0 with the row count if every link holds, 1 at the first broken row',
    )
    .action(async () => {
      const config = configFromEnv(process.env);
      const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      try {
        await migrateToLatest(database);
        const bar = new SingleBar({
          format: '{bar} {percentage}% | {value}/{total} rows',
          hideCursor: true,
          noTTYOutput: true,
          notTTYSchedule: 2000,
          stream: process.stderr,
        });
        bar.start(await auditChainLength(database.db), 0);
        const result = await verifyAuditLog(database, (checked, total) => {
          bar.setTotal(total);
          bar.update(checked);
        });
        bar.stop();
        if (result.broken !== undefined) {
          const { id, chainSeq, reason, detail } = result.broken;
          console.error(
            `BROKEN at audit row id ${id} (place ${chainSeq} in the chain): ${reason}: ${detail}; ${result.checked} row(s) before it are sound`,
          );
          process.exitCode = 1;
          return;
        }
        console.log(`OK: ${result.checked} row(s), head ${result.headHash ?? '(empty log)'}`);
      } finally {
        await database.close();
      }
    });
}
