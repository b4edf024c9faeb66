/**
 * What changed between two config documents, entry by entry: added, removed, and changed with the fields
 * that differ. Only allow-listed fields show values (config-views.ts); a secret is reported as "password
 * changed" or "remotePassword changed" only, and added or removed links say only whether one is set.
 */
import { stableJson } from './config-doc.js';
import type { StoredDoc } from './config-secrets.js';
import { isShown, SECRET_FIELDS, viewEntry, type EntryKind } from './config-views.js';

export type { EntryKind };
/** Any document form: as read (clear secrets) or as stored; both diff the same way. */
type AnyDoc = Omit<StoredDoc, 'links' | 'apps'> & { links: readonly object[]; apps?: readonly object[] };

export interface FieldChange { field: string; before?: unknown; after?: unknown }
export interface DiffEntry { kind: EntryKind; id: string; entry: Record<string, unknown> }
export interface ChangedEntry { kind: EntryKind; id: string; fields: FieldChange[] }
export interface ConfigDiff { added: DiffEntry[]; removed: DiffEntry[]; changed: ChangedEntry[] }

interface Collection { kind: EntryKind; entries: (doc: AnyDoc) => Array<Record<string, unknown>>; id: (e: Record<string, unknown>) => string }

const COLLECTIONS: readonly Collection[] = [
  { kind: 'route', entries: (d) => d.routes as never, id: (e) => String(e['id']) },
  { kind: 'template', entries: (d) => d.templates as never, id: (e) => `${String(e['key'])}/${String(e['locale'])}` },
  { kind: 'link', entries: (d) => d.links as never, id: (e) => String(e['name']) },
  { kind: 'menu', entries: (d) => d.menus as never, id: (e) => String(e['code']) },
  { kind: 'block', entries: (d) => (d.blocklist ?? []) as never, id: (e) => String(e['pattern']) },
  { kind: 'app', entries: (d) => (d.apps ?? []) as never, id: (e) => String(e['name']) },
];

export function diffConfigDocs(before: AnyDoc, after: AnyDoc): ConfigDiff {
  const diff: ConfigDiff = { added: [], removed: [], changed: [] };
  for (const c of COLLECTIONS) {
    const old = new Map(c.entries(before).map((e) => [c.id(e), e]));
    const now = new Map(c.entries(after).map((e) => [c.id(e), e]));
    for (const [id, e] of now) {
      const was = old.get(id);
      if (!was) diff.added.push({ kind: c.kind, id, entry: viewEntry(c.kind, e) });
      else {
        const fields = changedFields(c.kind, was, e);
        if (fields.length) diff.changed.push({ kind: c.kind, id, fields });
      }
    }
    for (const [id, e] of old) if (!now.has(id)) diff.removed.push({ kind: c.kind, id, entry: viewEntry(c.kind, e) });
  }
  return diff;
}

export function isEmptyDiff(d: ConfigDiff): boolean {
  return d.added.length + d.removed.length + d.changed.length === 0;
}

function changedFields(kind: EntryKind, was: Record<string, unknown>, now: Record<string, unknown>): FieldChange[] {
  const out: FieldChange[] = [];
  const names = [...new Set([...Object.keys(was), ...Object.keys(now)])].sort();
  for (const field of names) {
    // A field missing from an older snapshot (a column added since) is not a change by itself.
    if (!(field in was) || !(field in now)) continue;
    if (stableJson(was[field]) === stableJson(now[field])) continue;
    const secret = SECRET_FIELDS[field];
    // A field not on the allow-list is named without its values.
    out.push(secret ? { field: secret } : isShown(kind, field) ? { field, before: was[field], after: now[field] } : { field });
  }
  return out;
}

/** One line for the version list: "route 232-on changed (keywords); template help.232/ru added". */
export function summariseDiff(d: ConfigDiff, max = 8): string {
  const parts = [
    ...d.added.map((e) => `${e.kind} ${e.id} added`),
    ...d.changed.map((e) => `${e.kind} ${e.id} changed (${e.fields.map((f) => f.field).join(', ')})`),
    ...d.removed.map((e) => `${e.kind} ${e.id} removed`),
  ];
  if (parts.length === 0) return 'no change';
  const shown = parts.slice(0, max).join('; ');
  return parts.length > max ? `${shown}; and ${parts.length - max} more` : shown;
}
