import type { RouteDef } from '../../src/routing/index.js';

/** The default routes of SPEC "The services", as drizzle/0001_seed.sql seeds them. */
export const SEEDED_ROUTES: readonly RouteDef[] = [
  { id: '232-on', shortCode: '232', kind: 'exact', keywords: ['ON', 'PER', 'ПЕР'], priority: 100, action: 'archive.activate', params: {} },
  { id: '232-off', shortCode: '232', kind: 'exact', keywords: ['OFF', 'STOP', 'СТОП'], priority: 100, action: 'archive.deactivate', params: {} },
  { id: '232-help', shortCode: '232', kind: 'any', keywords: [], priority: 0, action: 'help', params: {} },
  { id: '111-password', shortCode: '111', kind: 'exact', keywords: ['25'], priority: 100, action: 'account.password', params: {} },
  { id: '111-help', shortCode: '111', kind: 'any', keywords: [], priority: 0, action: 'help', params: {} },
  { id: '1234-mms', shortCode: '1234', kind: 'any', keywords: [], priority: 0, action: 'mms.settings', params: { apn: 'mms.operator' } },
];

/** A route with defaults, for tests that care about one or two fields. */
export function route(id: string, fields: Partial<RouteDef>): RouteDef {
  return { id, shortCode: '500', kind: 'exact', keywords: [], priority: 0, action: `act.${id}`, params: {}, ...fields };
}
