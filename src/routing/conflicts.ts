/**
 * Warnings about one short code's ranked entries, for the operator who saves the routes:
 * - 'tie': two routes of the same kind and priority could take the same text, so only the id
 *   decides. Found for the same exact or prefix keyword, for any two 'any' routes, and for two
 *   regex routes unless their anchored literals prove them disjoint (see anchoredLiteral).
 *   Not found: keywords that meet only through different forms of one text (OH and ON both take a
 *   Cyrillic-typed "ОН").
 * - 'shadowed': a route that can never win, because for each of its entries an earlier entry always
 *   matches whatever it matches: an earlier 'any'; for an exact keyword the same exact keyword, or a
 *   prefix keyword equal to it or to its leading words; for a prefix keyword an earlier prefix
 *   keyword equal to it or to its leading words. Regex routes can only be shadowed by an 'any'
 *   (what a pattern covers is not worked out).
 * The ranks already encode the order, so "earlier" is simply a lower rank.
 */
import { anchoredLiteral } from './regex.js';
import type { Entry, RouteProblem } from './types.js';

export function findConflicts(entries: readonly Entry[]): RouteProblem[] {
  return [...findTies(entries), ...findShadowed(entries)];
}

function findTies(entries: readonly Entry[]): RouteProblem[] {
  const problems: RouteProblem[] = [];
  const reported = new Set<string>();
  const report = (winner: Entry, loser: Entry, what: string): void => {
    const key = `${winner.route.def.id}\u0000${loser.route.def.id}`;
    if (reported.has(key) || winner.route === loser.route) return;
    reported.add(key);
    const { kind, priority } = loser.route.def;
    problems.push({
      routeId: loser.route.def.id,
      code: 'tie',
      message: `ties with ${winner.route.def.id} (${kind}, priority ${priority}) ${what}; ${winner.route.def.id} wins by id`,
    });
  };
  // Same-kind, same-priority entries sit next to each other in rank order: compare within each run.
  for (const run of runsOfKindAndPriority(entries)) {
    const kind = run[0]?.route.def.kind;
    for (let j = 1; j < run.length; j++) {
      const loser = run[j] as Entry;
      for (let i = 0; i < j; i++) {
        const winner = run[i] as Entry;
        if (kind === 'any') report(winner, loser, 'as both match everything');
        else if (kind === 'regex') {
          if (mayOverlap(winner, loser)) report(winner, loser, 'as both patterns may match the same text');
        } else if (winner.keyword === loser.keyword) report(winner, loser, `on keyword ${winner.keyword}`);
      }
    }
  }
  return problems;
}

function runsOfKindAndPriority(entries: readonly Entry[]): Entry[][] {
  const runs: Entry[][] = [];
  let run: Entry[] = [];
  for (const entry of entries) {
    const head = run[0];
    if (head !== undefined && (head.route.def.kind !== entry.route.def.kind || head.route.def.priority !== entry.route.def.priority)) {
      runs.push(run);
      run = [];
    }
    run.push(entry);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

function mayOverlap(a: Entry, b: Entry): boolean {
  const x = anchoredLiteral(a.route.regex?.source ?? '');
  const y = anchoredLiteral(b.route.regex?.source ?? '');
  return x.startsWith(y) || y.startsWith(x);
}

function findShadowed(entries: readonly Entry[]): RouteProblem[] {
  let firstAny: Entry | null = null;
  const exactSeen = new Map<string, Entry>();
  const prefixSeen = new Map<string, Entry>();
  // Per route: how many of its entries are shadowed, and by which other routes.
  const shadowed = new Map<Entry['route'], { count: number; by: Set<string> }>();
  const total = new Map<Entry['route'], number>();

  for (const entry of entries) {
    total.set(entry.route, (total.get(entry.route) ?? 0) + 1);
    const by = shadowingEntry(entry, firstAny, exactSeen, prefixSeen);
    if (by !== null) {
      const seen = shadowed.get(entry.route) ?? { count: 0, by: new Set<string>() };
      seen.count++;
      if (by.route !== entry.route) seen.by.add(by.route.def.id);
      shadowed.set(entry.route, seen);
    }
    switch (entry.route.def.kind) {
      case 'any': firstAny ??= entry; break;
      case 'exact': if (!exactSeen.has(entry.keyword)) exactSeen.set(entry.keyword, entry); break;
      case 'prefix': if (!prefixSeen.has(entry.keyword)) prefixSeen.set(entry.keyword, entry); break;
      case 'regex': break;
    }
  }

  const problems: RouteProblem[] = [];
  for (const [route, seen] of shadowed) {
    if (seen.count < (total.get(route) ?? 0)) continue;
    problems.push({
      routeId: route.def.id,
      code: 'shadowed',
      message: `never matches: ${[...seen.by].sort().join(', ')} always match${seen.by.size === 1 ? 'es' : ''} first`,
    });
  }
  return problems;
}

function shadowingEntry(
  entry: Entry,
  firstAny: Entry | null,
  exactSeen: ReadonlyMap<string, Entry>,
  prefixSeen: ReadonlyMap<string, Entry>,
): Entry | null {
  if (firstAny !== null) return firstAny;
  const kind = entry.route.def.kind;
  if (kind === 'exact') {
    const same = exactSeen.get(entry.keyword);
    if (same !== undefined) return same;
  }
  if (kind === 'exact' || kind === 'prefix') return coveringPrefix(entry.keyword, prefixSeen);
  return null;
}

/** An earlier prefix keyword equal to `keyword` or to its leading words ("PASS" covers "PASS WORD"). */
function coveringPrefix(keyword: string, prefixSeen: ReadonlyMap<string, Entry>): Entry | null {
  let space = keyword.indexOf(' ');
  while (space !== -1) {
    const covering = prefixSeen.get(keyword.slice(0, space));
    if (covering !== undefined) return covering;
    space = keyword.indexOf(' ', space + 1);
  }
  return prefixSeen.get(keyword) ?? null;
}
