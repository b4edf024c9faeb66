import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { subscribers } from '../schema/index.js';

export type SubscriberRow = typeof subscribers.$inferSelect;

export async function getSubscriber(db: DbOrTx, msisdn: string): Promise<SubscriberRow | undefined> {
  const [row] = await db.select().from(subscribers).where(eq(subscribers.msisdn, msisdn));
  return row;
}
