/**
 * deploy/kubernetes: every object validates against the Kubernetes JSON schemas shipped in
 * kubernetes-models (offline, ajv), and the objects fit together: Services and PDBs select pods that
 * exist, named ports exist, probes hit our health endpoints on the ops listener, the ConfigMap + Secret parse as our
 * config, and the NetworkPolicies open SMPP and HTTP but keep the ops port to the monitoring namespace.
 * The schemas, like Kubernetes' own OpenAPI, allow unknown fields, so fields we rely on are checked by name.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseConfig } from '../../src/config.js';

const DIR = 'deploy/kubernetes';
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1 Deployment': Deployment,
  'policy/v1 PodDisruptionBudget': PodDisruptionBudget,
  'v1 ConfigMap': ConfigMap,
  'v1 Secret': Secret,
  'v1 Service': Service,
  'networking.k8s.io/v1 NetworkPolicy': NetworkPolicy,
};

interface Obj { apiVersion: string; kind: string; metadata: { name: string }; [k: string]: unknown }
type Labels = Record<string, string>;
interface Container { env?: Array<{ name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }>; envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>; ports?: Array<{ name?: string; containerPort: number }>; livenessProbe?: { httpGet?: { path: string; port: string } }; readinessProbe?: { httpGet?: { path: string; port: string } } }
interface DeploymentObj extends Obj { spec: { replicas?: number; selector: { matchLabels: Labels }; template: { metadata: { labels: Labels }; spec: { restartPolicy?: string; containers: Container[] } } } }

const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();
const docs: Array<{ file: string; obj: Obj }> = files.flatMap((file) => parseAllDocuments(readFileSync(join(DIR, file), 'utf8')).map((d) => {
  if (d.errors.length) throw new Error(`${file}: ${d.errors.map((e) => e.message).join('; ')}`);
  return { file, obj: d.toJS() as Obj };
}));
const objects = docs.filter((d) => d.obj.kind !== 'Kustomization').map((d) => d.obj);
const of = <T extends Obj>(kind: string) => objects.filter((o) => o.kind === kind) as T[];
const deployments = of<DeploymentObj>('Deployment');
const matches = (selector: Labels, labels: Labels) => Object.entries(selector).every(([k, v]) => labels[k] === v);

function validate(o: unknown): string | null {
  const obj = o as Obj;
  const Model = MODELS[`${obj.apiVersion} ${obj.kind}`];
  if (!Model) return `no schema for ${obj.apiVersion} ${obj.kind}`;
  try { new Model(obj as never).validate(); return null; } catch (e) { return (e as Error).message; }
}

describe('deploy/kubernetes', () => {
  it('validates every object against the Kubernetes schemas, and the validator does refuse a bad one', () => {
    expect(objects.length).toBeGreaterThanOrEqual(10);
    expect(objects.map((o) => [o.kind, o.metadata.name, validate(o)]).filter(([, , err]) => err !== null)).toEqual([]);
    const broken = structuredClone(deployments[0]!);
    broken.spec.template.spec.restartPolicy = 'Sometimes';
    (broken.spec.template.spec.containers[0]!.ports![0] as { containerPort: unknown }).containerPort = 'smpp';
    expect(validate(broken)).toMatch(/restartPolicy|containerPort/);
  });

  it('lists every manifest in kustomization.yaml', () => {
    const k = docs.find((d) => d.obj.kind === 'Kustomization')!.obj as unknown as { resources: string[] };
    expect([...k.resources].sort()).toEqual(files.filter((f) => f !== 'kustomization.yaml'));
    expect(objects.every((o) => !('namespace' in o.metadata))).toBe(true);
  });

  it('runs a listener and a worker Deployment that restart always and probe /healthz and /readyz on the ops listener', () => {
    const roles = Object.fromEntries(deployments.map((d) => [d.metadata.name, d.spec.template.spec.containers[0]!.env?.find((e) => e.name === 'ROLES')?.value]));
    expect(roles).toEqual({ 'scgw-listener': 'listener,web', 'scgw-worker': 'workers' });
    const cm = of<Obj & { data: Record<string, string> }>('ConfigMap')[0]!;
    // The kubelet probes the pod's address: the ops listener must not be on loopback only.
    expect(cm.data['OPS_HOST']).toBe('0.0.0.0');
    for (const d of deployments) {
      const pod = d.spec.template;
      expect(matches(d.spec.selector.matchLabels, pod.metadata.labels)).toBe(true);
      expect(pod.spec.restartPolicy).toBe('Always');
      const c = pod.spec.containers[0]!;
      const ports = new Map((c.ports ?? []).map((p) => [p.name, p.containerPort]));
      expect(ports.get('ops')).toBe(Number(cm.data['OPS_PORT']));
      expect(c.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'ops' });
      expect(c.readinessProbe?.httpGet?.path).toMatch(/^\/readyz/);
      expect(c.readinessProbe?.httpGet?.port).toBe('ops');
      // Each pod is named in the fleet view (and on its outbound links' leases) by its own name.
      expect(c.env?.find((e) => e.name === 'NODE_ID')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.name');
      for (const ref of c.envFrom ?? []) {
        const name = ref.configMapRef?.name ?? ref.secretRef?.name;
        expect(objects.some((o) => o.kind === (ref.configMapRef ? 'ConfigMap' : 'Secret') && o.metadata.name === name)).toBe(true);
      }
    }
    const listener = deployments.find((d) => d.metadata.name === 'scgw-listener')!.spec.template.spec.containers[0]!;
    expect(listener.ports?.find((p) => p.name === 'smpp')?.containerPort).toBe(2775);
    expect(listener.ports?.find((p) => p.name === 'http')?.containerPort).toBe(8080);
  });

  it('points each Service and PodDisruptionBudget at pods that exist, on ports they expose', () => {
    const services = of<Obj & { spec: { selector: Labels; ports: Array<{ port: number; targetPort: string }> } }>('Service');
    expect(services.flatMap((s) => s.spec.ports.map((p) => p.port)).sort()).toEqual([2775, 8080]);
    for (const s of services) {
      const pods = deployments.filter((d) => matches(s.spec.selector, d.spec.template.metadata.labels));
      expect(pods.map((d) => d.metadata.name)).toEqual(['scgw-listener']);
      for (const p of s.spec.ports) expect(pods[0]!.spec.template.spec.containers[0]!.ports?.some((cp) => cp.name === p.targetPort)).toBe(true);
    }
    const pdbs = of<Obj & { spec: { selector: { matchLabels: Labels } } }>('PodDisruptionBudget');
    expect(pdbs.length).toBeGreaterThan(0);
    for (const b of pdbs) expect(deployments.filter((d) => matches(b.spec.selector.matchLabels, d.spec.template.metadata.labels))).toHaveLength(1);
  });

  it('configures the gateway with variables it knows, which parse as a valid config for each role', () => {
    const cm = of<Obj & { data: Record<string, string> }>('ConfigMap')[0]!;
    const secret = of<Obj & { stringData: Record<string, string> }>('Secret')[0]!;
    const readme = readFileSync('README.md', 'utf8');
    const documented = (k: string) => readme.includes('`' + k + '`');
    expect([...Object.keys(cm.data), ...Object.keys(secret.stringData)].filter((k) => !documented(k))).toEqual([]);
    for (const d of deployments) {
      // A field reference (NODE_ID: the pod's name) as the kubelet fills it in.
      const env = Object.fromEntries((d.spec.template.spec.containers[0]!.env ?? []).map((e) => [e.name, e.value ?? `${d.metadata.name}-7d9f8b6c5-x2k4q`]));
      expect(() => parseConfig({ ...cm.data, ...secret.stringData, ...env })).not.toThrow();
    }
  });

  it('opens SMPP and HTTP to anyone and the ops port only to the monitoring namespace, on ports the pods have', () => {
    type Peer = { namespaceSelector?: { matchLabels?: Labels }; podSelector?: unknown; ipBlock?: unknown };
    type Rule = { from?: Peer[]; ports?: Array<{ port: string | number }> };
    const policies = of<Obj & { spec: { podSelector: { matchLabels: Labels }; policyTypes: string[]; ingress: Rule[] } }>('NetworkPolicy');
    expect(policies.map((p) => p.metadata.name).sort()).toEqual(['scgw-listener', 'scgw-worker']);
    for (const p of policies) {
      const pods = deployments.filter((d) => matches(p.spec.podSelector.matchLabels, d.spec.template.metadata.labels));
      expect(pods).toHaveLength(1);
      expect(p.spec.policyTypes).toEqual(['Ingress']);
      const named = new Set((pods[0]!.spec.template.spec.containers[0]!.ports ?? []).map((cp) => cp.name));
      const open = new Set<string>();
      for (const rule of p.spec.ingress) {
        for (const port of rule.ports ?? []) {
          expect(named.has(String(port.port))).toBe(true);
          if (port.port === 'ops') {
            // Never from everywhere: only the monitoring namespace.
            expect(rule.from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }]);
          } else if (!rule.from) open.add(String(port.port));
        }
      }
      expect([...open].sort()).toEqual(pods[0]!.metadata.name === 'scgw-listener' ? ['http', 'smpp'] : []);
    }
  });

  it('the image checks its health at /readyz on the ops listener, which every role runs', () => {
    const check = readFileSync('Dockerfile', 'utf8').split('HEALTHCHECK')[1]?.split('\n').slice(0, 2).join('\n') ?? '';
    expect(check).toMatch(/process\.env\.OPS_PORT\|\|9090/);
    expect(check).toMatch(/\/readyz/);
  });
});
