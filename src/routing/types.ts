/** Routes as operators configure them, the compiled table, and what a decision reports. */

import type { RouteRegex } from './regex.js';
export type MatchKind = 'exact' | 'prefix' | 'regex' | 'any';

export interface RouteDef {
  id: string;
  shortCode: string;
  kind: MatchKind;
  /** exact and prefix: the keyword and its aliases, as typed by the operator (folded at compile). */
  keywords: string[];
  /** regex kind: matched with flags `iu` against normaliseText(text); anchor it yourself. Null as stored in the db. */
  pattern?: string | null;
  /** Higher is tried first. */
  priority: number;
  action: string;
  params: Record<string, unknown>;
}

/**
 * What compileRoutes found wrong. 'duplicate-id', 'bad-regex', 'unsafe-regex' and 'empty-keyword'
 * (when no keyword is left) keep the route out of the table; 'shadowed' and 'tie' are warnings
 * about a route that stays in.
 */
export interface RouteProblem {
  routeId: string;
  code: 'shadowed' | 'bad-regex' | 'unsafe-regex' | 'tie' | 'empty-keyword' | 'duplicate-id';
  message: string;
}

/** One thing the matcher tries: a keyword of an exact or prefix route, or a whole regex or any route. */
export interface Entry {
  readonly route: CompiledRoute;
  /** Folded keyword ('' for regex and any). */
  readonly keyword: string;
  /** Words in the keyword: prefix arguments start after this many words of the text. */
  readonly keywordWords: number;
  /** Position in the short code's decision order: the lowest rank that matches wins. */
  readonly rank: number;
}

export interface CompiledRoute {
  readonly def: RouteDef;
  readonly keywords: readonly string[];
  readonly regex: RouteRegex | null;
  /** Lowest rank among the route's entries: where the route stands in the decision order. */
  readonly rank: number;
}

/** One short code's routes, indexed so a decision is a few map lookups plus the regexes in rank order. */
export interface ShortCodeRoutes {
  /** Folded keyword → exact entries, best rank first. */
  readonly exact: ReadonlyMap<string, readonly Entry[]>;
  /** First word of the folded keyword → prefix entries, best rank first. */
  readonly prefix: ReadonlyMap<string, readonly Entry[]>;
  readonly regex: readonly Entry[];
  readonly any: readonly Entry[];
  /** Every route of the short code in decision order (for explainMatch). */
  readonly routes: readonly CompiledRoute[];
}

/** Build with compileRoutes; everything beyond `shortCodes` is the matcher's business. */
export interface RouteTable {
  readonly shortCodes: ReadonlySet<string>;
  readonly byShortCode: ReadonlyMap<string, ShortCodeRoutes>;
}

export interface Candidate {
  routeId: string;
  kind: MatchKind;
  priority: number;
  matched: boolean;
  why: string;
}

export interface MatchResult {
  shortCodeKnown: boolean;
  route: RouteDef | null;
  /**
   * prefix: the words after the keyword, from normaliseTextKeepingCase(text), so case is kept
   * ("PASS abc 12" → "abc 12"); exact, regex and any: ''.
   */
  args: string;
  /** regex: the named groups that took part in the match. */
  captures: Record<string, string>;
  normalised: string;
  forms: string[];
  /** explainMatch: every route of the short code in decision order; matchRoute leaves it empty. */
  candidates: Candidate[];
}
