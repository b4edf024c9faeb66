/**
 * (short code, text) → route. The winner is the matching entry of lowest rank (see compile.ts);
 * exact and prefix keywords are map lookups per text form, then only the regexes ranked before the
 * best hit so far run, so a decision costs O(forms) plus the few regexes that could still win.
 */
import { argsAfter, firstWord, readMessageText, startsWithKeyword, type MessageText } from './normalise.js';
import type { Candidate, CompiledRoute, Entry, MatchResult, RouteTable, ShortCodeRoutes } from './types.js';

interface Decision {
  readonly entry: Entry;
  readonly captures: Record<string, string>;
}

const NO_CAPTURES: Readonly<Record<string, string>> = Object.freeze({});

export function matchRoute(table: RouteTable, shortCode: string, text: string): MatchResult {
  const message = readMessageText(text);
  const routes = table.byShortCode.get(shortCode.trim());
  const decision = routes === undefined ? null : decide(routes, message);
  return resultOf(routes !== undefined, message, decision, []);
}

/** matchRoute for the operator's dry run: also says, for every route of the short code, whether and why it matched. */
export function explainMatch(table: RouteTable, shortCode: string, text: string): MatchResult {
  const message = readMessageText(text);
  const routes = table.byShortCode.get(shortCode.trim());
  if (routes === undefined) return resultOf(false, message, null, []);
  const decision = decide(routes, message);
  const winner = decision?.entry.route ?? null;
  const candidates = routes.routes.map((route) => explainRoute(route, message, winner));
  return resultOf(true, message, decision, candidates);
}

function decide(routes: ShortCodeRoutes, message: MessageText): Decision | null {
  let best: Entry | null = routes.any[0] ?? null;
  for (const form of message.forms) {
    const exact = routes.exact.get(form)?.[0];
    if (exact !== undefined && (best === null || exact.rank < best.rank)) best = exact;
    const prefixes = routes.prefix.get(firstWord(form));
    if (prefixes === undefined) continue;
    for (const entry of prefixes) {
      if (best !== null && entry.rank >= best.rank) break;
      if (startsWithKeyword(form, entry.keyword)) {
        best = entry;
        break;
      }
    }
  }
  // Regexes last: they cost the most, and only those ranked before the best hit can change the answer.
  for (const entry of routes.regex) {
    if (best !== null && entry.rank >= best.rank) break;
    const found = entry.route.regex?.exec(message.normalised);
    if (found) return { entry, captures: found };
  }
  return best === null ? null : { entry: best, captures: NO_CAPTURES };
}

function resultOf(shortCodeKnown: boolean, message: MessageText, decision: Decision | null, candidates: Candidate[]): MatchResult {
  const entry = decision?.entry;
  const isPrefix = entry?.route.def.kind === 'prefix';
  return {
    shortCodeKnown,
    route: entry?.route.def ?? null,
    args: entry !== undefined && isPrefix ? argsAfter(message, entry.keywordWords) : '',
    captures: { ...(decision?.captures ?? NO_CAPTURES) },
    normalised: message.normalised,
    forms: [...message.forms],
    candidates,
  };
}

function explainRoute(route: CompiledRoute, message: MessageText, winner: CompiledRoute | null): Candidate {
  const { id, kind, priority } = route.def;
  const how = howRouteMatches(route, message);
  let why: string;
  if (how === null) why = whyNot(route, message);
  else if (route === winner) why = `chosen: ${how}`;
  else why = `${how}, but ${winner?.def.id ?? 'another route'} comes first`;
  return { routeId: id, kind, priority, matched: how !== null, why };
}

/** How the route matches the text, or null when it does not; decision order plays no part here. */
function howRouteMatches(route: CompiledRoute, message: MessageText): string | null {
  switch (route.def.kind) {
    case 'any':
      return 'matches any text';
    case 'regex':
      return route.regex?.test(message.normalised) ? `/${route.regex.source}/ matches ${quote(message.normalised)}` : null;
    case 'exact':
      for (const keyword of route.keywords) if (message.forms.includes(keyword)) return `text form ${quote(keyword)} equals keyword ${quote(keyword)}`;
      return null;
    case 'prefix':
      for (const keyword of route.keywords) {
        const form = message.forms.find((f) => startsWithKeyword(f, keyword));
        if (form !== undefined) return `text form ${quote(form)} starts with keyword ${quote(keyword)}`;
      }
      return null;
  }
}

function whyNot(route: CompiledRoute, message: MessageText): string {
  const forms = message.forms.map(quote).join(', ');
  const keywords = route.keywords.map(quote).join(', ');
  switch (route.def.kind) {
    case 'regex':
      return `/${route.regex?.source ?? ''}/ does not match ${quote(message.normalised)}`;
    case 'exact':
      return `no text form (${forms}) equals a keyword (${keywords})`;
    default:
      return `no text form (${forms}) starts with a keyword (${keywords})`;
  }
}

function quote(s: string): string {
  return JSON.stringify(s);
}
