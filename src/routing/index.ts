// routing/: (short code, text) → route, decided from routes compiled once per config version.
// Pure: values in, values out; no I/O, clock, logger or env, and no state between calls.
// Imports only text/ (for folding); pipeline/ caches the table, web/ uses explainMatch for dry runs.
export { compileRoutes } from './compile.js';
export { explainMatch, matchRoute } from './match.js';
export { normaliseKeyword } from './normalise.js';
export type { Candidate, MatchKind, MatchResult, RouteDef, RouteProblem, RouteTable } from './types.js';
export { compileBlocklist, EMPTY_BLOCKLIST, type Blocklist } from './blocklist.js';
