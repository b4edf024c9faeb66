/**
 * What a view of the config may show, per resource: an allow-list, so a column added later (a secret
 * included) stays hidden until someone lists it here. Diffs and version views use it; link views
 * (web/admin/links.ts) and export (web/admin/config-io.ts) pick their fields explicitly the same way.
 * Secrets show only as flags: `passwordSet`, `remotePasswordSet`.
 */
export type EntryKind = 'route' | 'template' | 'link' | 'menu' | 'block' | 'app';

export const VIEW_FIELDS: Readonly<Record<EntryKind, readonly string[]>> = {
  route: ['id', 'shortCode', 'kind', 'keywords', 'pattern', 'priority', 'action', 'params'],
  template: ['key', 'locale', 'body'],
  link: ['name', 'allowedSources', 'direction', 'host', 'port', 'ratePerSecond', 'window', 'allowBinary', 'archiveFeed',
    'dc0', 'gsm7Packed', 'concat', 'vendor', 'enabled', 'remoteSystemId', 'systemType', 'bindKind', 'binds'],
  menu: ['code', 'title', 'items'],
  block: ['pattern', 'note'],
  app: ['name', 'url', 'timeoutMs', 'maxAttempts', 'backoffMs', 'concurrency', 'fallbackTemplate', 'fallbackText', 'enabled'],
};

/** Stored fields that hold a secret (or its hash or fingerprint), under the name a diff reports a change as. */
export const SECRET_FIELDS: Readonly<Record<string, string>> = {
  passwordHash: 'password',
  remotePassword: 'remotePassword',
  remotePasswordFingerprint: 'remotePassword',
  secret: 'secret',
  secretFingerprint: 'secret',
};

export function isShown(kind: EntryKind, field: string): boolean {
  return VIEW_FIELDS[kind].includes(field);
}

/** One entry as a view shows it: allow-listed fields, plus for links whether each secret is set. */
export function viewEntry(kind: EntryKind, e: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of VIEW_FIELDS[kind]) if (f in e) out[f] = e[f];
  if (kind === 'link') {
    out['passwordSet'] = typeof e['passwordHash'] === 'string' && e['passwordHash'] !== '';
    out['remotePasswordSet'] = e['remotePasswordFingerprint'] != null || e['remotePassword'] != null;
  }
  if (kind === 'app') out['secretSet'] = e['secretFingerprint'] != null || (typeof e['secret'] === 'string' && e['secret'] !== '');
  return out;
}
