/** The start-up summary of `ims up`: what listens where, the demo subscribers, how to register. */
import type { HealthReport } from '../functions/host/index.ts';
import type { DemoSubscriber } from './demo-subscribers.ts';
import { NETWORK_FUNCTIONS } from './functions.ts';
import type { Child } from './supervisor.ts';

/** What exists so far besides the functions. */
export const LIBRARIES: readonly { name: string; what: string }[] = [
  { name: 'sip', what: 'SIP messages, transports, transactions, stateful proxy, dialogs, B2BUA, RFC 3263' },
  { name: 'diameter', what: 'Diameter base protocol, peers, routing, Cx/Dx, Sh, Rx, Rf' },
  { name: 'aka', what: 'Milenage, IMS AKA vectors, SQN management; SIP Digest and AKA digest' },
];

/** Every function of ARCHITECTURE.md §2 and its state in this run. */
export function functionTable(running: ReadonlySet<string>): string {
  const lines: string[] = ['Network functions:'];
  for (const f of NETWORK_FUNCTIONS) {
    const state = running.has(f.name)
      ? 'running'
      : f.implemented
        ? 'not started (enabled: false)'
        : `not implemented yet${f.issue ? ` (issue #${f.issue})` : ''}`;
    lines.push(`  ${f.name.padEnd(6)} ${f.role.padEnd(52)} ${state}`);
  }
  lines.push('', 'Libraries available:');
  for (const l of LIBRARIES) lines.push(`  ${l.name.padEnd(10)} ${l.what}`);
  return lines.join('\n');
}

/** `udp/tcp 127.0.0.1:5060, tls 127.0.0.1:5061`: protocols sharing an address and port together. */
export function sipListeners(health: {
  sip?: readonly { protocol: string; host: string; port: number }[] | undefined;
}): string {
  const byAddress = new Map<string, string[]>();
  for (const l of health.sip ?? []) {
    const address = `${l.host.includes(':') ? `[${l.host}]` : l.host}:${l.port}`;
    byAddress.set(address, [...(byAddress.get(address) ?? []), l.protocol]);
  }
  return [...byAddress].map(([address, protocols]) => `${protocols.join('/')} ${address}`).join(', ');
}

/** `hss.ims.test (open)` per peer. */
export function diameterPeers(health: Pick<HealthReport, 'diameterPeers'>): string {
  return (health.diameterPeers ?? []).map((p) => `${p.host} (${p.state})`).join(', ');
}

function childLines(child: Child): string[] {
  const h = child.health;
  const details = (h.details ?? {}) as Record<string, unknown>;
  const pad = ''.padEnd(20);
  const lines: string[] = [];
  const head = `  ${child.name.padEnd(6)} pid ${String(child.pid).padEnd(7)}`;
  const body: string[] = [];
  if (h.sip && h.sip.length > 0) body.push(`SIP ${sipListeners(h)}`);
  if (h.diameterPort !== undefined && details.diameterAddress !== undefined) {
    const identity = details.originHost
      ? ` (${details.originHost}${details.realm ? `, realm ${details.realm}` : ''})`
      : '';
    body.push(`Diameter ${details.diameterAddress}:${h.diameterPort}${identity}`);
  }
  if (h.diameterPeers && h.diameterPeers.length > 0 && !details.diameterAddress)
    body.push(`Diameter peers ${diameterPeers(h)}`);
  if (typeof details.api === 'string') body.push(`REST API ${details.api} (OpenAPI at /api/v1/openapi.json)`);
  if (child.http) body.push(`health ${child.http}/health, metrics ${child.http}/metrics`);
  lines.push(`${head} ${body[0] ?? ''}`.trimEnd());
  for (const b of body.slice(1)) lines.push(`${pad} ${b}`);
  return lines;
}

export function demoTable(demo: readonly DemoSubscriber[]): string {
  if (demo.length === 0) return 'Subscribers: provisioned earlier (ims subscriber list).';
  const lines = ['Demo subscribers (digest username = IMPI; AKA with K/OPc, AMF 8000):'];
  for (const d of demo) {
    lines.push(`  ${d.impu.padEnd(22)} ${d.tel.padEnd(13)} impi ${d.impi.padEnd(18)} password ${d.password}`);
    lines.push(`  ${''.padEnd(36)} k ${d.k} opc ${d.opc}`);
  }
  return lines.join('\n');
}

/** How a softphone registers through the P-CSCF, with the first demo subscriber. */
function softphoneLine(children: readonly Child[], domain: string, demo: readonly DemoSubscriber[]): string {
  const pcscf = children.find((c) => c.name === 'pcscf');
  if (!pcscf) return 'No P-CSCF running: softphones cannot register yet.';
  const plain = (pcscf.health.sip ?? []).filter((l) => l.protocol === 'udp' || l.protocol === 'tcp');
  const first = plain[0] ?? pcscf.health.sip?.[0];
  if (!first) return 'The P-CSCF has no SIP listener.';
  const protocols = [...new Set(plain.map((l) => l.protocol))].join('/');
  const user = demo[0];
  const who = user
    ? `user ${user.impi.split('@')[0]}, auth user ${user.impi}, password ${user.password}`
    : 'a subscriber of ims subscriber list';
  return `Register a softphone: proxy/outbound ${first.host}:${first.port} (${protocols}), domain ${domain}, ${who}`;
}

export interface SummaryInput {
  domain: string;
  dataDir: string;
  children: readonly Child[];
  missing: readonly string[];
  demo: readonly DemoSubscriber[];
}

export function upSummary(input: SummaryInput): string {
  const { children } = input;
  const lines = [`ims up: domain ${input.domain}, data in ${input.dataDir}`, '', 'Running:'];
  for (const child of children) lines.push(...childLines(child));
  for (const name of input.missing) lines.push(`  ${name.padEnd(6)} enabled but not implemented yet`);
  lines.push(
    '',
    demoTable(input.demo),
    '',
    softphoneLine(children, input.domain, input.demo),
    '',
    functionTable(new Set(children.map((c) => c.name))),
    '',
    `ims status --data ${input.dataDir} shows what runs.`,
    'Ctrl-C stops.',
  );
  return lines.join('\n');
}
