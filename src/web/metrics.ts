/** Prometheus metrics: one registry per gateway (no global state), served at /metrics. */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  moAccepted: Counter<'link'>;
  moRefused: Counter<'reason'>;
  moFolded: Counter<'link'>;
  moRouted: Counter<'action' | 'binary'>;
  concatTimeouts: Counter;
  unknownDcs: Counter<'dcs'>;
  mtSent: Counter<'link' | 'outcome'>;
  mtSegments: Counter<'link'>;
  sessions: Gauge<'link'>;
  bindFailures: Counter<'reason'>;
  bindLockouts: Counter<'scope'>;
  connectionsRefused: Counter<'reason'>;
  moThrottled: Counter<'link'>;
  moBlocked: Counter<'link'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'scgw_' });
  const reg = { registers: [registry] };
  return {
    registry,
    moAccepted: new Counter({ name: 'scgw_mo_accepted_total', help: 'MO PDUs acked after a durable enqueue', labelNames: ['link'], ...reg }),
    moRefused: new Counter({ name: 'scgw_mo_refused_total', help: 'MO PDUs answered with an error status', labelNames: ['reason'], ...reg }),
    moFolded: new Counter({ name: 'scgw_mo_folded_total', help: 'MO re-sent on a new bind within the link dedupe window, folded into the first copy', labelNames: ['link'], ...reg }),
    moRouted: new Counter({ name: 'scgw_mo_routed_total', help: 'Whole MO messages acted on, by action', labelNames: ['action', 'binary'], ...reg }),
    concatTimeouts: new Counter({ name: 'scgw_concat_timeouts_total', help: 'Concatenated MO routed incomplete after the timeout', ...reg }),
    unknownDcs: new Counter({ name: 'scgw_mo_unknown_dcs_total', help: 'MO with a data_coding we do not know, decoded as GSM 03.38', labelNames: ['dcs'], ...reg }),
    mtSent: new Counter({ name: 'scgw_mt_sent_total', help: 'Replies sent, by peer outcome', labelNames: ['link', 'outcome'], ...reg }),
    mtSegments: new Counter({ name: 'scgw_mt_segments_total', help: 'Reply segments (PDUs) sent', labelNames: ['link'], ...reg }),
    sessions: new Gauge({ name: 'scgw_smpp_sessions', help: 'Bound SMPP sessions on this node', labelNames: ['link'], ...reg }),
    bindFailures: new Counter({ name: 'scgw_smpp_bind_failures_total', help: 'Binds refused (all ESME_RBINDFAIL to the peer), by the check that refused', labelNames: ['reason'], ...reg }),
    bindLockouts: new Counter({ name: 'scgw_smpp_bind_lockouts_total', help: 'Bind lockouts begun, per source address or per system_id', labelNames: ['scope'], ...reg }),
    connectionsRefused: new Counter({ name: 'scgw_smpp_connections_refused_total', help: 'SMPP connections closed at once: over the total or per-source cap', labelNames: ['reason'], ...reg }),
    moThrottled: new Counter({ name: 'scgw_mo_throttled_total', help: 'MO answered ESME_RTHROTTLED: over the link\'s mo_rate_per_second', labelNames: ['link'], ...reg }),
    moBlocked: new Counter({ name: 'scgw_mo_blocked_total', help: 'MO from a number on the block list: acked and recorded, not acted on, nothing sent', labelNames: ['link'], ...reg }),
  };
}

export function registerMetrics(app: FastifyInstance, registry: Registry) {
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
}
