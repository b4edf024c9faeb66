/**
 * Prometheus metrics: one registry per gateway (no global state), served at /metrics on the ops listener.
 * The series are fed by callbacks the wiring (gateway.ts) hands to smpp/ and pipeline/; the recording
 * functions below take plain values, so web/ knows no queue or PDU type. Label values are bounded: links are
 * configured, reasons are ScgwError codes, statuses SMPP names, queues `mo` and `mt-<link>`.
 * The README's Metrics section lists the series; deploy/grafana/ holds the dashboard and alert rules.
 */
import type { FastifyInstance } from 'fastify';
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type MetricObjectWithValues, type MetricValue } from 'prom-client';

/** Seconds: from a few ms (a help reply on an idle node) to the minute a backlog or a slow link may take. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
/** Seconds a group-commit transaction takes. */
const TX_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];
/** MO per group-commit transaction (the batcher's cap is 64). */
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64];

/** The job states a queue depth is reported for (BullMQ's names; `waiting` is its `wait` list). */
export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const;
export type QueueState = (typeof QUEUE_STATES)[number];
export interface QueueDepth { queue: string; counts: Partial<Record<QueueState, number>> }

/** How a reply PDU set went: `refused` and `unsendable` end as a failed reply, `throttled` and `error` are retried. */
export type MtOutcome = 'ok' | 'refused' | 'throttled' | 'unsendable' | 'error';

export interface Metrics {
  registry: Registry;
  moAccepted: Counter<'link'>;
  moRefused: Counter<'reason' | 'link' | 'command_status'>;
  moFolded: Counter<'link'>;
  moRouted: Counter<'action' | 'binary'>;
  concatTimeouts: Counter;
  unknownDcs: Counter<'dcs'>;
  mtSent: Counter<'link' | 'outcome'>;
  mtSegments: Counter<'link'>;
  replyLatency: Histogram<'link'>;
  receipts: Counter<'state'>;
  queueJobs: Gauge<'queue' | 'state'>;
  queueWait: Histogram<'queue'>;
  moBatchSize: Histogram<'outcome'>;
  moBatchSeconds: Histogram<'outcome'>;
  sessions: Gauge<'link'>;
  bindFailures: Counter<'reason'>;
  bindLockouts: Counter<'scope'>;
  connectionsRefused: Counter<'reason'>;
  moThrottled: Counter<'link'>;
  moBlocked: Counter<'link'>;
  mtDirect: Counter<'outcome'>;
}

export interface MetricsDeps {
  /** Read on each scrape: the depth of every queue (Redis; bounded by `timeoutMs`, no series when it fails). */
  queueDepths?(): Promise<QueueDepth[]>;
  queueDepthTimeoutMs?: number;
}

export function createMetrics(deps: MetricsDeps = {}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'scgw_' });
  const reg = { registers: [registry] };
  const depths = deps.queueDepths;
  const timeoutMs = deps.queueDepthTimeoutMs ?? 1000;
  return {
    registry,
    moAccepted: new Counter({ name: 'scgw_mo_accepted_total', help: 'MO PDUs acked after a durable enqueue (receipts included)', labelNames: ['link'], ...reg }),
    moRefused: new Counter({ name: 'scgw_mo_refused_total', help: 'MO PDUs answered with an error status, by cause, link and the command_status sent', labelNames: ['reason', 'link', 'command_status'], ...reg }),
    moFolded: new Counter({ name: 'scgw_mo_folded_total', help: 'MO re-sent on a new bind within the link dedupe window, folded into the first copy', labelNames: ['link'], ...reg }),
    moRouted: new Counter({ name: 'scgw_mo_routed_total', help: 'Whole MO messages acted on, by action', labelNames: ['action', 'binary'], ...reg }),
    concatTimeouts: new Counter({ name: 'scgw_concat_timeouts_total', help: 'Concatenated MO routed incomplete after the timeout', ...reg }),
    unknownDcs: new Counter({ name: 'scgw_mo_unknown_dcs_total', help: 'MO with a data_coding we do not know, decoded as GSM 03.38', labelNames: ['dcs'], ...reg }),
    mtSent: new Counter({ name: 'scgw_mt_sent_total', help: 'Reply send runs by outcome: ok, refused (peer error status), throttled (peer asked to slow down; retried), unsendable, error (no response or session lost; retried)', labelNames: ['link', 'outcome'], ...reg }),
    mtSegments: new Counter({ name: 'scgw_mt_segments_total', help: 'Reply segments (PDUs) answered by the peer', labelNames: ['link'], ...reg }),
    replyLatency: new Histogram({ name: 'scgw_mo_reply_latency_seconds', help: 'From an MO PDU\'s arrival to its reply\'s response from the peer (replies relayed by the sweep or a retry are not observed)', labelNames: ['link'], buckets: LATENCY_BUCKETS, ...reg }),
    receipts: new Counter({ name: 'scgw_receipts_total', help: 'Delivery receipts by the state they report (SMPP 3.4 App. B names), or unmatched (no sent reply has the id; given up) or invalid (no id or state)', labelNames: ['state'], ...reg }),
    queueJobs: new Gauge({
      name: 'scgw_queue_jobs', help: 'Jobs in each BullMQ queue by state, read from Redis at scrape time (the same on every node)', labelNames: ['queue', 'state'], ...reg,
      aggregator: 'max', // a worker process reads the same queues: merged, never added (mergedMetrics)
      async collect() {
        if (!depths) return;
        this.reset();
        let timer: NodeJS.Timeout | undefined;
        try {
          const rows = await Promise.race([depths(), new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('queue depths timed out')), timeoutMs); })]);
          for (const { queue, counts } of rows) for (const s of QUEUE_STATES) this.set({ queue, state: s }, counts[s] ?? 0);
        } catch {
          // Redis is away: no series rather than stale ones (an absent() alert can tell).
        } finally {
          clearTimeout(timer);
        }
      },
    }),
    queueWait: new Histogram({ name: 'scgw_queue_wait_seconds', help: 'From a job\'s enqueue (plus its delay) to its first processing start', labelNames: ['queue'], buckets: LATENCY_BUCKETS, ...reg }),
    moBatchSize: new Histogram({ name: 'scgw_mo_batch_size', help: 'MO per group-commit transaction of the mo executor', labelNames: ['outcome'], buckets: BATCH_BUCKETS, ...reg }),
    moBatchSeconds: new Histogram({ name: 'scgw_mo_batch_seconds', help: 'Duration of each group-commit transaction of the mo executor', labelNames: ['outcome'], buckets: TX_BUCKETS, ...reg }),
    sessions: new Gauge({ name: 'scgw_smpp_sessions', help: 'Bound SMPP sessions on this node', labelNames: ['link'], ...reg }),
    bindFailures: new Counter({ name: 'scgw_smpp_bind_failures_total', help: 'Binds refused (all ESME_RBINDFAIL to the peer), by the check that refused', labelNames: ['reason'], ...reg }),
    bindLockouts: new Counter({ name: 'scgw_smpp_bind_lockouts_total', help: 'Bind lockouts begun, per source address or per system_id', labelNames: ['scope'], ...reg }),
    connectionsRefused: new Counter({ name: 'scgw_smpp_connections_refused_total', help: 'SMPP connections closed at once: over the total or per-source cap', labelNames: ['reason'], ...reg }),
    moThrottled: new Counter({ name: 'scgw_mo_throttled_total', help: 'MO answered ESME_RTHROTTLED: over the link\'s mo_rate_per_second', labelNames: ['link'], ...reg }),
    moBlocked: new Counter({ name: 'scgw_mo_blocked_total', help: 'MO from a number on the block list: acked and recorded, not acted on, nothing sent', labelNames: ['link'], ...reg }),
    mtDirect: new Counter({ name: 'scgw_mt_direct_total', help: 'Fresh replies sent straight from the relay with no mt job (sent), or queued after the direct send fell through (queued: throttled, no window room, session lost)', labelNames: ['outcome'], ...reg }),
  };
}

/** Recording functions for the callbacks of smpp/ and pipeline/ (gateway.ts wires them). */
export function metricsRecorder(m: Metrics, now: () => number = Date.now) {
  return {
    moRefused(o: { link: string; reason: string; commandStatus: string }) {
      m.moRefused.inc({ link: o.link, reason: o.reason, command_status: o.commandStatus });
    },
    mtSent(o: { link: string; segments: number; outcome: MtOutcome; moAt?: number | undefined }) {
      m.mtSent.inc({ link: o.link, outcome: o.outcome });
      const answered = o.outcome === 'ok' || o.outcome === 'refused';
      if (answered) m.mtSegments.inc({ link: o.link }, o.segments);
      if (answered && o.moAt !== undefined) m.replyLatency.observe({ link: o.link }, Math.max(0, now() - o.moAt) / 1000);
    },
    queueWait(queue: string, ms: number) {
      m.queueWait.observe({ queue }, Math.max(0, ms) / 1000);
    },
    moBatch(o: { size: number; ms: number; ok: boolean }) {
      const outcome = o.ok ? 'committed' : 'rolled-back';
      m.moBatchSize.observe({ outcome }, o.size);
      m.moBatchSeconds.observe({ outcome }, o.ms / 1000);
    },
    receipt(state: string) {
      m.receipts.inc({ state });
    },
  };
}

export type MetricsRecorder = ReturnType<typeof metricsRecorder>;

/** What /metrics serves: a registry, or mergedMetrics' view of several. */
export type MetricsSource = Pick<Registry, 'contentType' | 'metrics'>;
export type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

/**
 * This process's series with those of its worker process (gateway-processes.ts), as one exposition: counters and
 * histograms added, `scgw_queue_jobs` (read from the same Redis by both) taken once, Node's own per its aggregator.
 */
export function mergedMetrics(own: Registry, peers: () => Promise<MetricsJson[]>): MetricsSource {
  return {
    contentType: own.contentType,
    async metrics() {
      const [mine, theirs] = await Promise.all([own.getMetricsAsJSON(), peers().catch(() => [])]);
      return AggregatorRegistry.aggregate([mine, ...theirs]).metrics();
    },
  };
}

export function registerMetrics(app: FastifyInstance, registry: MetricsSource) {
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
}
