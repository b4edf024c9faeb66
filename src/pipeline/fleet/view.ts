/** The fleet view: every node's heartbeat, and per configured link its suspension and sessions per node. Pure. */
import type { FleetView, NodeBeat, Suspension } from './types.js';

export function fleetView(
  nodes: NodeBeat[],
  suspensions: ReadonlyMap<string, Suspension>,
  links: Iterable<{ name: string; direction: string; enabled: boolean }>,
  now: Date,
): FleetView {
  // Code-unit order, not localeCompare (heartbeat.ts readNodes says why).
  const known = [...links].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // A suspension of a link since deleted still shows (resume clears it).
  const names = new Set(known.map((l) => l.name));
  const gone = [...suspensions.keys()].filter((n) => !names.has(n)).map((name) => ({ name, direction: '?', enabled: false }));
  const newest = [...nodes].sort((a, b) => (a.beatAt < b.beatAt ? 1 : a.beatAt > b.beatAt ? -1 : 0))[0];
  return {
    generatedAt: now.toISOString(),
    nodes,
    links: [...known, ...gone].map((l) => {
      const sessions = nodes.map((n) => ({ node: n.id, count: n.sessions.filter((s) => s.link === l.name).length })).filter((s) => s.count > 0);
      return { ...l, suspended: suspensions.get(l.name) ?? null, sessions, total: sessions.reduce((a, s) => a + s.count, 0) };
    }),
    queues: newest?.queues ?? [],
  };
}
