import { openDatabase } from '../src/store/database.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
const d = await openDatabase({ dataDir: 'memory://' });
console.log(await migrateToLatest(d));
const p = await openDatabase({ databaseUrl: 'postgres://postgres@127.0.0.1:5432/test' });
console.log(await migrateToLatest(p));
await d.close(); await p.close();
