/**
 * The SMS archive's hooks in the pipeline (SPEC "SMS archive"): an MO is stored in the transaction that acts on
 * it (after the action, so `ON` itself is kept), a reply when the mt worker has sent it, and a copy from an
 * archive-feed link instead of being routed. Replies are archived as `outbox.archive_text`, password masked, once
 * sent (outbox-marks.ts records sends in batches and archives them with db/queries/sms-archive.ts archiveSentReplies).
 */
import { maskForArchive, type Locale, type Reply } from '../actions/index.js';
import type { Db, Tx } from '../db/client.js';
import { archiveIfOnDeferred } from '../db/deferred.js';
import { storeFeedCopy } from '../db/queries/sms-archive.js';
import type { DecodedUserData } from '../text/index.js';

/** What the hooks need of an assembled MO (mo-worker's AssembledMo; named here to keep the import one-way). */
export interface ArchivableMo { idemKey: string; link: string; source: string; destination: string; corr: string; decoded: DecodedUserData }

function moBody(mo: ArchivableMo): string {
  return mo.decoded.kind === 'text' ? mo.decoded.text : `[binary, ${mo.decoded.bytes.length} octets]`;
}

/** In an MO batch (mo-batch.ts) the archive-on check and insert are deferred to one statement for the batch. */
export async function archiveMo(tx: Tx, mo: ArchivableMo, at: Date): Promise<void> {
  await archiveIfOnDeferred(tx, { msisdn: mo.source, direction: 'sent', peer: mo.destination, body: moBody(mo), origin: 'gateway', link: mo.link, corr: mo.corr, createdAt: at });
}

export async function archiveFeedCopy(db: Db, mo: ArchivableMo, at: Date): Promise<number> {
  return storeFeedCopy(db, { idemKey: mo.idemKey, link: mo.link, source: mo.source, destination: mo.destination, body: moBody(mo), corr: mo.corr, at });
}

/** `render` with no variables gives the template body: where the password sits in the reply. */
export function archiveText(render: (key: string, locale: Locale) => string, reply: Reply, locale: Locale): string | null {
  if (reply.binary) return null; // a binary reply has no text to render; the archive skips it (queries/sms-archive.ts)
  return maskForArchive(render(reply.template, locale), reply.text);
}
