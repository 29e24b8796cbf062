/**
 * The default demo topology of ARCHITECTURE.md §2: every function's config defaults to these
 * names and ports, so `ims up` needs no file. Names resolve through each function's static
 * host table (`sip.hosts`), so the demo needs no DNS server.
 */
export const DEMO_DOMAIN = 'ims.test';
export const DEMO_ADDRESS = '127.0.0.1';

export const DEMO = {
  pcscf: { host: 'pcscf.ims.test', port: 5060, tlsPort: 5061, wsPort: 5066, wssPort: 7443 },
  icscf: { host: 'icscf.ims.test', port: 4060 },
  scscf: { host: 'scscf.ims.test', port: 6060 },
  hss: { host: 'hss.ims.test', port: 3868, apiPort: 8080 },
  slf: { host: 'slf.ims.test', port: 3869 },
  as: { host: 'as.ims.test', port: 5080 },
  bgcf: { host: 'bgcf.ims.test', port: 7060 },
  mgcf: { host: 'mgcf.ims.test', port: 7070 },
  mrf: { host: 'mrf.ims.test', port: 7080 },
} as const;

/** The static host table every demo function starts with: each demo name → 127.0.0.1. */
export function demoHosts(): Record<string, string> {
  const hosts: Record<string, string> = { [DEMO_DOMAIN]: DEMO_ADDRESS };
  for (const f of Object.values(DEMO)) hosts[f.host] = DEMO_ADDRESS;
  return hosts;
}

/**
 * HTTP port of each function's /health and /metrics endpoint under `ims up` (9181-9193: clear of
 * every port of ARCHITECTURE.md §2, of Prometheus' 9090 and of node_exporter's 9100).
 */
export const DEMO_HTTP_PORTS: Readonly<Record<string, number>> = {
  pcscf: 9181,
  icscf: 9182,
  scscf: 9183,
  hss: 9184,
  slf: 9185,
  as: 9186,
  bgcf: 9187,
  mgcf: 9188,
  pstn: 9189,
  mrf: 9190,
  pcrf: 9191,
  nass: 9192,
  cdf: 9193,
};
