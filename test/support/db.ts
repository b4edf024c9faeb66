import { openDb, type DbHandle } from '../../src/db/client.js';
import { testServices, type TestServices } from './services.js';

/** A migrated database of its own for one test file. */
export async function testDb(): Promise<{ handle: DbHandle; svc: TestServices; close(): Promise<void> }> {
  const svc = await testServices();
  const handle = await openDb({ url: svc.databaseUrl, dataDir: '/nonexistent', poolMax: 8 });
  await handle.migrate();
  return { handle, svc, async close() { await handle.close(); await svc.cleanup(); } };
}
