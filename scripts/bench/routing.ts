/**
 * Routing decision latency at operator scale: 10,000 keywords over 100 short codes, 100 of them with
 * a regex route, 200,000 texts that mix exact, prefix and regex hits with misses and unknown short
 * codes. Target (issue): p99 ≤ 20 µs per decision. Each call is timed on its own with
 * process.hrtime.bigint (≈ 50 ns of the figure is the timer itself).
 *
 * `npx tsx scripts/bench/routing.ts`, or runRoutingBench() from the bench runner.
 */
import { pathToFileURL } from 'node:url';
import { compileRoutes, matchRoute, type RouteDef } from '../../src/routing/index.js';

const SHORT_CODES = 100;
const EXACT_ROUTES = 40; // two keywords each
const PREFIX_ROUTES = 20; // one keyword each: 100 keywords per short code
const TEXTS = 200_000;
const WARM_UP = 20_000;

export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
}

// Seeded, so every run times the same routes and texts.
function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Fixture {
  routes: RouteDef[];
  exactKeywords: Map<string, string[]>;
  prefixKeywords: Map<string, string[]>;
  regexWords: Map<string, string>;
}

function buildFixture(random: () => number): Fixture {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const latin = 'ABCDEFGHIJKLMNOPRSTUVWXYZ';
  const cyrillic = 'АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЭЮЯ';
  const word = (): string => {
    const letters = random() < 0.2 ? cyrillic : latin;
    let w = '';
    for (let n = 3 + Math.floor(random() * 6); n > 0; n--) w += pick([...letters]);
    return w;
  };
  const fixture: Fixture = { routes: [], exactKeywords: new Map(), prefixKeywords: new Map(), regexWords: new Map() };
  for (let c = 0; c < SHORT_CODES; c++) {
    const shortCode = String(1000 + c);
    const used = new Set<string>();
    const fresh = (): string => {
      let w = word();
      while (used.has(w)) w = word();
      used.add(w);
      return w;
    };
    const exact: string[] = [];
    const prefix: string[] = [];
    const base = { shortCode, action: 'bench.act', params: {} };
    for (let r = 0; r < EXACT_ROUTES; r++) {
      const keywords = [fresh(), fresh()];
      exact.push(...keywords);
      fixture.routes.push({ ...base, id: `${shortCode}-e${r}`, kind: 'exact', keywords, priority: Math.floor(random() * 4) });
    }
    for (let r = 0; r < PREFIX_ROUTES; r++) {
      const keyword = fresh();
      prefix.push(keyword);
      fixture.routes.push({ ...base, id: `${shortCode}-p${r}`, kind: 'prefix', keywords: [keyword], priority: Math.floor(random() * 4) });
    }
    const regexWord = fresh();
    fixture.routes.push({ ...base, id: `${shortCode}-r`, kind: 'regex', keywords: [], pattern: `^${regexWord} (?<n>\\d{1,6})(?: (?<note>\\w+))?$`, priority: 2 });
    fixture.routes.push({ ...base, id: `${shortCode}-help`, kind: 'any', keywords: [], priority: -1 });
    fixture.exactKeywords.set(shortCode, exact);
    fixture.prefixKeywords.set(shortCode, prefix);
    fixture.regexWords.set(shortCode, regexWord);
  }
  return fixture;
}

/** As subscribers type: any case, stray spaces. */
function typed(random: () => number, s: string): string {
  const cased = random() < 0.5 ? s.toLowerCase() : random() < 0.5 ? s : s[0] + s.slice(1).toLowerCase();
  return random() < 0.2 ? `  ${cased} ` : cased;
}

function buildTexts(fixture: Fixture, random: () => number): Array<[string, string]> {
  const shortCodes = [...fixture.exactKeywords.keys()];
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const texts: Array<[string, string]> = [];
  for (let i = 0; i < TEXTS; i++) {
    const shortCode = random() < 0.02 ? '9999' : pick(shortCodes);
    const known = fixture.exactKeywords.has(shortCode) ? shortCode : pick(shortCodes);
    const roll = random();
    let text: string;
    if (roll < 0.35) text = typed(random, pick(fixture.exactKeywords.get(known) ?? []));
    else if (roll < 0.55) text = typed(random, `${pick(fixture.prefixKeywords.get(known) ?? [])} Arg${i} ${i % 97}`);
    else if (roll < 0.65) text = typed(random, `${fixture.regexWords.get(known) ?? ''} ${i % 100_000}${i % 3 === 0 ? ' note' : ''}`);
    else text = typed(random, `hello there ${i}`);
    texts.push([shortCode, text]);
  }
  return texts;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

export async function runRoutingBench(): Promise<BenchFigure[]> {
  const random = randomSource(20_250_101);
  const fixture = buildFixture(random);
  const texts = buildTexts(fixture, random);

  const compileStart = process.hrtime.bigint();
  const { table, problems } = compileRoutes(fixture.routes);
  const compileMs = Number(process.hrtime.bigint() - compileStart) / 1e6;
  const refused = problems.filter((p) => p.code !== 'tie' && p.code !== 'shadowed');
  if (refused.length > 0) throw new Error(`bench routes refused: ${JSON.stringify(refused.slice(0, 3))}`);

  for (let i = 0; i < WARM_UP; i++) {
    const [shortCode, text] = texts[i % texts.length] as [string, string];
    matchRoute(table, shortCode, text);
  }

  const micros = new Float64Array(texts.length);
  const byKind = new Map<string, number>();
  const runStart = process.hrtime.bigint();
  for (let i = 0; i < texts.length; i++) {
    const [shortCode, text] = texts[i] as [string, string];
    const start = process.hrtime.bigint();
    const result = matchRoute(table, shortCode, text);
    micros[i] = Number(process.hrtime.bigint() - start) / 1e3;
    const kind = result.route?.kind ?? 'unknown short code';
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
  }
  const runSeconds = Number(process.hrtime.bigint() - runStart) / 1e9;
  micros.sort();

  return [
    { name: 'routing.keywords', value: fixture.routes.reduce((n, r) => n + r.keywords.length, 0), unit: 'keywords' },
    { name: 'routing.compile', value: compileMs, unit: 'ms' },
    { name: 'routing.decision.p50', value: percentile(micros, 0.5), unit: 'µs' },
    { name: 'routing.decision.p99', value: percentile(micros, 0.99), unit: 'µs' },
    { name: 'routing.decision.p99.9', value: percentile(micros, 0.999), unit: 'µs' },
    { name: 'routing.decision.max', value: micros[micros.length - 1] ?? NaN, unit: 'µs' },
    { name: 'routing.throughput', value: texts.length / runSeconds, unit: 'decisions/s' },
    ...[...byKind].sort().map(([kind, n]) => ({ name: `routing.decided.${kind.replaceAll(' ', '-')}`, value: n, unit: 'texts' })),
  ];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const { name, value, unit } of await runRoutingBench()) {
    console.log(`${name.padEnd(34)} ${Number.isInteger(value) ? value : value.toFixed(2)} ${unit}`);
  }
}
