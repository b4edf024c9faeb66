import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { settings } from '../schema/index.js';

/** Reads a setting, creating it with `make()` first if absent; concurrent first callers all read the one that won. */
export async function ensureSetting(db: DbOrTx, key: string, make: () => string): Promise<string> {
  await db.insert(settings).values({ key, value: make() }).onConflictDoNothing();
  const [row] = await db.select().from(settings).where(eq(settings.key, key));
  if (!row) throw new Error(`setting ${key} vanished after insert`);
  return row.value;
}
