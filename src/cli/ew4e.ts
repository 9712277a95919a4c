/** @module The `ew4e` command line: serve, migrate, backup, restore, import, keys, nature. */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, Option } from 'commander';
import { createPlatform, createServices } from '../app.ts';
import { type Config, configFromEnv } from '../config.ts';
import { signalOf } from '../detect/detection-service.ts';
import { startMqttIngest } from '../ingest/mqtt-ingest.ts';
import { dutiesOf, PROCESS_ROLES, type ProcessRole, roleRefusal } from '../process-role.ts';
import { generateApiKey, ROLES, type Role } from '../registry/access.ts';
import { normaliseScopes, SCOPES } from '../registry/scopes.ts';
import { createLogger } from '../server/logging.ts';
import { createApiKey } from '../store/access.repository.ts';
import { appendSecurityEvent } from '../store/audit.repository.ts';
import { openDatabase } from '../store/database.ts';
import { seriesContexts } from '../store/detection.repository.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { StationDirectory } from '../store/station-ingest.repository.ts';
import { registerAuditCommand } from './audit-command.ts';
import { backupCommand, restoreCommand } from './backup-command.ts';
import { importFile } from './import-command.ts';
import { importProtectedAreaFile, printCoverage } from './nature-command.ts';
import { startDuties } from './serve-duties.ts';

const program = new Command()
  .name('ew4e')
  .description(
    'EW4E — Early Warning for Environment. Configuration by environment: PORT, EW4E_DATA_DIR, DATABASE_URL, EW4E_ADMIN_KEY.',
  );

program
  .command('serve')
  .description(
    'run the platform (HTTP API, /docs) on PGlite in EW4E_DATA_DIR, or on PostgreSQL if DATABASE_URL is set',
  )
  .option(
    '--demo',
    'install the demo (countries, cities, stations of every sense) and run its live simulated feed',
  )
  .addOption(
    new Option(
      '--role <role>',
      'what this process runs (with EW4E_NATS_URL, processes share the work): api, ingest, detect, notify or all',
    )
      .choices(PROCESS_ROLES)
      .env('EW4E_ROLE'),
  )
  .action(async (options: { demo?: boolean; role?: ProcessRole }) => {
    const fromEnv = configFromEnv(process.env);
    const role = options.role ?? fromEnv.role ?? 'all';
    const refusal = roleRefusal(role, fromEnv.nats !== undefined);
    if (refusal !== undefined) {
      console.error(refusal);
      process.exitCode = 2;
      return;
    }
    const config = await withAdminKey({ ...fromEnv, role });
    const logger = createLogger(config.logLevel);
    if (config.webDir === undefined && dutiesOf(role).api) {
      // The dashboard is built from web/ on first start and again only when its sources change.
      const { ensureWebBuild } = await import('../../web/build.ts');
      await ensureWebBuild((msg) => logger.info(msg)).catch((error: unknown) =>
        logger.error({ err: error }, 'the dashboard could not be built; the API runs without it'),
      );
    }
    const platform = await createPlatform(config, logger);
    let stopDemo: (() => Promise<void>) | undefined;
    if (options.demo) {
      const { startDemo } = await import('../demo/demo.ts');
      const demo = await startDemo(platform.services, {
        feedIntervalMs: 10_000,
        log: (msg) => logger.info(msg),
        ...(config.demoPassword === undefined ? {} : { password: config.demoPassword }),
      });
      stopDemo = () => demo.stop();
    }
    const duties = await startDuties(platform, role, { port: config.port, host: config.host }, logger);
    // Sensors' MQTT broker is an input: it is read where ingestion runs.
    const mqttIngest =
      config.mqttIngest && (role === 'all' || role === 'ingest')
        ? startMqttIngest(
            { ...config.mqttIngest, maxPayloadBytes: config.maxBodyBytes },
            {
              ingest: platform.services.observationIngest,
              stations: new StationDirectory(platform.services.database.db),
              log: logger,
            },
          )
        : undefined;
    const address = duties.address;
    logger.info(
      `EW4E serving as ${role} on ${address} (database: ${platform.services.database.backend}` +
        `${config.nats ? `, NATS ${config.nats.url}` : ''})${dutiesOf(role).api ? `; API docs at ${address}/docs` : ''}`,
    );
    const shutdown = async () => {
      await mqttIngest?.stop();
      await duties.stop();
      await stopDemo?.();
      await platform.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void shutdown());
    process.once('SIGTERM', () => void shutdown());
  });

program
  .command('migrate')
  .description('bring the database schema up to date')
  .action(async () => {
    const config = configFromEnv(process.env);
    const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    const applied = await migrateToLatest(database);
    console.log(applied.length > 0 ? `applied: ${applied.join(', ')}` : 'schema is up to date');
    await database.close();
  });

program
  .command('backup')
  .description(
    'write a consistent snapshot of the whole database to one file (gzip; 0600: it holds keys and password hashes)',
  )
  .argument('<file>', 'the backup file; replaced atomically if it exists')
  .action((file: string) => backupCommand(configFromEnv(process.env), file));

program
  .command('restore')
  .description('load a backup into an empty database, in one transaction (all or nothing)')
  .argument('<file>', 'a file written by ew4e backup (on PGlite or PostgreSQL)')
  .option('--force', 'replace a database that is not empty: its public schema is dropped and made again')
  .action((file: string, options: { force?: boolean }) =>
    restoreCommand(configFromEnv(process.env), file, options),
  );

program
  .command('import')
  .description(
    'import observations (CSV, NDJSON, JSON), events (CSV, NDJSON, GeoJSON) or areas (GeoJSON) from a file',
  )
  .argument('<file>', 'the file; its extension tells the format (.csv, .ndjson/.jsonl, .json, .geojson)')
  .addOption(new Option('--as <what>', 'what the file holds').choices(['observations', 'events', 'areas']))
  .requiredOption('--org <code>', 'the organisation that owns the data (its code, e.g. bd-dhaka)')
  .option('--area-kind <kind>', 'for areas: country, city, protected_area or custom', 'custom')
  .option('--batch <rows>', 'rows per atomic batch', (v) => Number.parseInt(v, 10), 5000)
  .option('--strict', 'stop at the first batch with an invalid row instead of importing the valid rows')
  .action(
    async (
      file: string,
      options: {
        as?: 'observations' | 'events' | 'areas';
        org: string;
        areaKind: string;
        batch: number;
        strict?: boolean;
      },
    ) => {
      const config = configFromEnv(process.env);
      const services = await createServices(config);
      try {
        const summary = await importFile(services, file, options);
        process.exitCode = summary.rejected > 0 ? 1 : 0;
      } finally {
        await services.database.close();
      }
    },
  );

program
  .command('detect')
  .description(
    "back-test: run the detectors over a series' history and report what would have fired when (stores nothing)",
  )
  .requiredOption('--series <id|code>', 'the series, by id or code')
  .requiredOption('--from <time>', 'ISO 8601 start (inclusive)')
  .requiredOption('--to <time>', 'ISO 8601 end (exclusive)')
  .option('--json', 'one JSON object per firing instead of a table')
  .action(async (options: { series: string; from: string; to: string; json?: boolean }) => {
    const fromMs = Date.parse(options.from);
    const toMs = Date.parse(options.to);
    if (!(fromMs < toMs)) {
      console.error('--from and --to must be ISO 8601 times, --from before --to');
      process.exitCode = 2;
      return;
    }
    const config = configFromEnv(process.env);
    const services = await createServices(config);
    try {
      const db = services.database.db;
      const series = await db
        .selectFrom('series')
        .select('id')
        .where((eb) =>
          /^[0-9]+$/.test(options.series)
            ? eb('id', '=', Number(options.series))
            : eb('code', '=', options.series),
        )
        .executeTakeFirst();
      if (!series) {
        console.error(`no series "${options.series}"`);
        process.exitCode = 2;
        return;
      }
      const [context] = await seriesContexts(db, [series.id]);
      const firings = await services.detection.backtest(series.id, fromMs, toMs);
      for (const f of firings) {
        if (options.json) console.log(JSON.stringify({ ...f, time: new Date(f.timeMs).toISOString() }));
        else {
          const what = f.detector.startsWith('rule ')
            ? `${f.reason} at ${f.observed}`
            : `score ${f.score.toFixed(2)}  ${signalOf(context!, f).sentence}`;
          console.log(`${new Date(f.timeMs).toISOString()}  ${f.detector}  ${what}`);
        }
      }
      console.error(
        `${firings.length} firing(s) between ${new Date(fromMs).toISOString()} and ${new Date(toMs).toISOString()}`,
      );
    } finally {
      await services.database.close();
    }
  });

const keys = program.command('keys').description('API keys');
keys
  .command('create')
  .description('create an API key; it is printed once and stored only as a hash')
  .requiredOption('--org <code>', 'organisation code (global for the root)')
  .addOption(new Option('--role <role>', 'role of the key').choices(ROLES).default('analyst'))
  .option('--name <name>', 'what the key is for', 'created with ew4e keys create')
  .option(
    '--scopes <list>',
    `comma-separated scopes the key is restricted to (${SCOPES.join(', ')}); default: all its role allows`,
  )
  .action(async (options: { org: string; role: Role; name: string; scopes?: string }) => {
    let scopes: ReturnType<typeof normaliseScopes>;
    try {
      scopes = normaliseScopes(options.scopes?.split(',').map((s) => s.trim()));
    } catch (error) {
      console.error(`${(error as Error).message}; known scopes: ${SCOPES.join(', ')}`);
      process.exitCode = 2;
      return;
    }
    const config = configFromEnv(process.env);
    const services = await createServices(config);
    try {
      const org = await services.database.db
        .selectFrom('organisation')
        .select('id')
        .where('code', '=', options.org)
        .executeTakeFirst();
      if (!org) {
        console.error(`no organisation with code "${options.org}"`);
        process.exitCode = 2;
        return;
      }
      const created = await services.database.db.transaction().execute(async (tx) => {
        const key = await createApiKey(tx, org.id, options.role, options.name, scopes);
        await appendSecurityEvent(tx, {
          organisationId: org.id,
          actor: 'ew4e keys create',
          action: 'api_key_created',
          changes: {
            key_id: key.id,
            prefix: key.prefix,
            role: key.role,
            scopes: scopes ?? null,
            name: key.name,
          },
        });
        return key;
      });
      console.log(created.key);
      const scoped = scopes === undefined ? '' : `, scopes ${scopes.join(', ')}`;
      console.error(
        `key ${created.prefix}… (${created.role} of ${options.org}${scoped}) — shown once, store it now`,
      );
    } finally {
      await services.database.close();
    }
  });

const nature = program.command('nature').description('30x30: protected areas, coverage');
nature
  .command('import')
  .description(
    'import protected areas shaped like the WDPA from GeoJSON or a shapefile, cleaned as Protected Planet does (one bad feature refuses the file)',
  )
  .argument('<file>', '.geojson/.json, or .shp with its .dbf (and .cpg) beside it')
  .option('--org <code>', 'the organisation that owns the sites', 'global')
  .action(async (file: string, options: { org: string }) => {
    const config = configFromEnv(process.env);
    const services = await createServices(config);
    try {
      const summary = await importProtectedAreaFile(services, file, options);
      process.exitCode = summary.rejected > 0 ? 1 : 0;
    } finally {
      await services.database.close();
    }
  });
nature
  .command('coverage')
  .description(
    "print a country's terrestrial and marine coverage, its STATUS_YR series and progress to 30 % by 2030",
  )
  .requiredOption('--country <code>', 'ISO 3166-1 alpha-2 or alpha-3, e.g. BD')
  .option('--marine-area <id>', 'id of the area (an EEZ) marine coverage is measured against', (v) =>
    Number.parseInt(v, 10),
  )
  .option('--json', 'the JSON the API returns instead of the table')
  .action(async (options: { country: string; marineArea?: number; json?: boolean }) => {
    const config = configFromEnv(process.env);
    const services = await createServices(config);
    try {
      await printCoverage(services, options);
    } catch (error) {
      if (!(error instanceof Error) || !('code' in error) || error.code !== 'EW4E_INVALID_QUERY') throw error;
      console.error(error.message);
      process.exitCode = 2;
    } finally {
      await services.database.close();
    }
  });

registerAuditCommand(program);

/** With no EW4E_ADMIN_KEY, a first start makes one and keeps it in the data folder (mode 0600), so the demo is usable at once. */
async function withAdminKey(config: Config): Promise<Config> {
  if (config.adminKey) return config;
  const file = path.join(config.dataDir, 'admin-key');
  if (!existsSync(file)) {
    await mkdir(config.dataDir, { recursive: true });
    await writeFile(file, `${generateApiKey().key}\n`, { mode: 0o600 });
  }
  const adminKey = (await readFile(file, 'utf8')).trim();
  console.error(`EW4E_ADMIN_KEY not set: using the admin key kept in ${file}`);
  return { ...config, adminKey };
}

await program.parseAsync(process.argv);
