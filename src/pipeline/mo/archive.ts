/**
 * The SMS archive's hooks in the pipeline (SPEC "SMS archive"): an MO is stored in the transaction that acts on
 * it (after the action, so `ON` itself is kept), a reply when the mt worker has sent it, and a copy from an
 * archive-feed link instead of being routed. Replies are archived as `outbox.archive_text`, password masked, once
 * sent (outbox/marks.ts records sends in batches and archives them in the same statement: db/queries/outbox-marks.ts
 * writeOutboxMarks).
 */
import type { Db, Tx } from '../../db/client.js';
import { archiveIfOn, storeFeedCopy, type ArchiveEntry } from '../../db/queries/sms-archive.js';
import type { DecodedUserData } from '../../text/index.js';

/** What the hooks need of an assembled MO (the mo worker.s AssembledMo; named here to keep the import one-way). */
export interface ArchivableMo { idemKey: string; link: string; source: string; destination: string; corr: string; decoded: DecodedUserData }

function moBody(mo: ArchivableMo): string {
  return mo.decoded.kind === 'text' ? mo.decoded.text : `[binary, ${mo.decoded.bytes.length} octets]`;
}

/** In an MO batch (batch.ts `defer`) the archive-on check and insert are one statement for the batch. */
export async function archiveMo(tx: Tx, mo: ArchivableMo, at: Date, defer?: (entry: ArchiveEntry) => void): Promise<void> {
  const entry: ArchiveEntry = { msisdn: mo.source, direction: 'sent', peer: mo.destination, body: moBody(mo), origin: 'gateway', link: mo.link, corr: mo.corr, createdAt: at };
  if (defer) defer(entry);
  else await archiveIfOn(tx, entry);
}

export async function archiveFeedCopy(db: Db, mo: ArchivableMo, at: Date): Promise<number> {
  return storeFeedCopy(db, { idemKey: mo.idemKey, link: mo.link, source: mo.source, destination: mo.destination, body: moBody(mo), corr: mo.corr, at });
}
