/**
 * RouteDef[] → RouteTable. Invalid routes are reported and left out, so one operator typo cannot take
 * a short code down; the table is rebuilt whole whenever the config version changes.
 *
 * Decision order within a short code, fixed here once as a rank per entry:
 * priority (higher first), then kind (exact, prefix, regex, any), then for prefix the longer
 * keyword first (so "PASS WORD" is tried before "PASS"), then route id, then keyword, compared by
 * code unit rather than locale so every node orders alike.
 */
import { findConflicts } from './conflicts.js';
import { countWords, firstWord, normaliseKeyword } from './normalise.js';
import { compileRouteRegex, type RouteRegex } from './regex.js';
import type { Entry, MatchKind, RouteDef, RouteProblem, RouteTable, ShortCodeRoutes } from './types.js';

const KIND_ORDER: Readonly<Record<MatchKind, number>> = { exact: 0, prefix: 1, regex: 2, any: 3 };

interface DraftRoute {
  readonly def: RouteDef;
  readonly keywords: readonly string[];
  readonly regex: RouteRegex | null;
  rank: number;
}

interface DraftEntry {
  readonly route: DraftRoute;
  readonly keyword: string;
  readonly keywordWords: number;
  rank: number;
}

export function compileRoutes(routes: readonly RouteDef[]): { table: RouteTable; problems: RouteProblem[] } {
  const problems: RouteProblem[] = [];
  const byShortCode = new Map<string, DraftRoute[]>();
  const seenIds = new Set<string>();
  for (const def of routes) {
    if (seenIds.has(def.id)) {
      problems.push({ routeId: def.id, code: 'duplicate-id', message: `route id ${def.id} is used twice; the later route is left out` });
      continue;
    }
    seenIds.add(def.id);
    const draft = draftRoute(def, problems);
    if (draft === null) continue;
    const shortCode = def.shortCode.trim();
    const list = byShortCode.get(shortCode);
    if (list === undefined) byShortCode.set(shortCode, [draft]);
    else list.push(draft);
  }

  const table = new Map<string, ShortCodeRoutes>();
  for (const [shortCode, drafts] of byShortCode) {
    const entries = rankEntries(drafts);
    table.set(shortCode, indexShortCode(drafts, entries));
    problems.push(...findConflicts(entries));
  }
  return { table: { shortCodes: new Set(table.keys()), byShortCode: table }, problems };
}

/** Validates one route; returns null (with the problem recorded) when it must stay out of the table. */
function draftRoute(def: RouteDef, problems: RouteProblem[]): DraftRoute | null {
  if (def.kind === 'any') return { def, keywords: [], regex: null, rank: 0 };
  if (def.kind === 'regex') {
    const pattern = def.pattern ?? '';
    if (pattern === '') {
      problems.push({ routeId: def.id, code: 'bad-regex', message: 'regex route has no pattern; left out' });
      return null;
    }
    const verdict = compileRouteRegex(pattern);
    if (!verdict.ok) {
      problems.push({ routeId: def.id, code: verdict.code, message: `/${pattern}/: ${verdict.message}; left out` });
      return null;
    }
    return { def, keywords: [], regex: verdict.regex, rank: 0 };
  }
  const keywords = new Set<string>();
  for (const typed of def.keywords) {
    const keyword = normaliseKeyword(typed);
    // An empty keyword would match only the empty text: that is what an 'any' route is for.
    if (keyword === '') {
      problems.push({ routeId: def.id, code: 'empty-keyword', message: `keyword ${JSON.stringify(typed)} is empty after normalising; ignored` });
    } else {
      keywords.add(keyword);
    }
  }
  if (keywords.size === 0) {
    problems.push({ routeId: def.id, code: 'empty-keyword', message: `${def.kind} route has no keyword; left out` });
    return null;
  }
  return { def, keywords: [...keywords], regex: null, rank: 0 };
}

/** One entry per keyword (or one per regex/any route), sorted into decision order and numbered. */
function rankEntries(drafts: readonly DraftRoute[]): Entry[] {
  const entries: DraftEntry[] = [];
  for (const route of drafts) {
    if (route.keywords.length === 0) entries.push({ route, keyword: '', keywordWords: 0, rank: 0 });
    for (const keyword of route.keywords) entries.push({ route, keyword, keywordWords: countWords(keyword), rank: 0 });
  }
  entries.sort(compareEntries);
  for (const route of drafts) route.rank = Infinity;
  entries.forEach((entry, rank) => {
    entry.rank = rank;
    entry.route.rank = Math.min(entry.route.rank, rank);
  });
  return entries;
}

function compareEntries(a: DraftEntry, b: DraftEntry): number {
  const x = a.route.def;
  const y = b.route.def;
  if (x.priority !== y.priority) return x.priority > y.priority ? -1 : 1;
  if (x.kind !== y.kind) return KIND_ORDER[x.kind] - KIND_ORDER[y.kind];
  if (x.kind === 'prefix' && a.keyword.length !== b.keyword.length) return b.keyword.length - a.keyword.length;
  if (x.id !== y.id) return x.id < y.id ? -1 : 1;
  return a.keyword < b.keyword ? -1 : a.keyword > b.keyword ? 1 : 0;
}

function indexShortCode(drafts: readonly DraftRoute[], entries: readonly Entry[]): ShortCodeRoutes {
  const exact = new Map<string, Entry[]>();
  const prefix = new Map<string, Entry[]>();
  const regex: Entry[] = [];
  const any: Entry[] = [];
  // Entries arrive in rank order, so every list below is best-first without another sort.
  for (const entry of entries) {
    switch (entry.route.def.kind) {
      case 'exact': pushTo(exact, entry.keyword, entry); break;
      case 'prefix': pushTo(prefix, firstWord(entry.keyword), entry); break;
      case 'regex': regex.push(entry); break;
      case 'any': any.push(entry); break;
    }
  }
  const routes = [...drafts].sort((a, b) => a.rank - b.rank);
  return { exact, prefix, regex, any, routes };
}

function pushTo(map: Map<string, Entry[]>, key: string, entry: Entry): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [entry]);
  else list.push(entry);
}
