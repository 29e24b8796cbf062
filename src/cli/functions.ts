import { isFunctionAvailable } from '../functions/host/availability.ts';

/**
 * The network functions of ARCHITECTURE.md §2 and whether each exists yet. `ims up` and
 * `ims run` read this table; a function is listed as implemented once its code is in the tree
 * (src/functions/<name>/index.ts, see functions/host/registry.ts).
 */
export interface FunctionInfo {
  name: string;
  role: string;
  implemented: boolean;
  /** Where the work is tracked while it is not implemented. */
  issue?: number;
}

export const NETWORK_FUNCTIONS: readonly FunctionInfo[] = [
  {
    name: 'pcscf',
    role: 'P-CSCF, first SIP hop of terminals',
    implemented: isFunctionAvailable('pcscf'),
    issue: 8,
  },
  {
    name: 'icscf',
    role: 'I-CSCF, entry of the home network',
    implemented: isFunctionAvailable('icscf'),
    issue: 8,
  },
  {
    name: 'scscf',
    role: 'S-CSCF, registrar, authentication, iFC, routing',
    implemented: isFunctionAvailable('scscf'),
    issue: 7,
  },
  { name: 'hss', role: 'HSS, subscriber data (Cx, Sh, REST API)', implemented: true, issue: 6 },
  { name: 'slf', role: 'SLF, Diameter redirect agent', implemented: true, issue: 6 },
  { name: 'as', role: 'MMTel application server', implemented: isFunctionAvailable('as') },
  { name: 'bgcf', role: 'BGCF, PSTN breakout by number', implemented: isFunctionAvailable('bgcf') },
  { name: 'mgcf', role: 'MGCF, SIP <-> ISUP interworking', implemented: isFunctionAvailable('mgcf') },
  { name: 'pstn', role: 'simulated PSTN switch', implemented: isFunctionAvailable('pstn') },
  {
    name: 'mrf',
    role: 'MRFC/MRFP, conferences, announcements, tones',
    implemented: isFunctionAvailable('mrf'),
  },
  {
    name: 'pcrf',
    role: 'PCRF (RACS), policy and admission control over Rx',
    implemented: isFunctionAvailable('pcrf'),
  },
  { name: 'nass', role: 'NASS, attachment and location', implemented: isFunctionAvailable('nass') },
  { name: 'cdf', role: 'CDF, offline charging records over Rf', implemented: isFunctionAvailable('cdf') },
];

export function findFunction(name: string): FunctionInfo | undefined {
  return NETWORK_FUNCTIONS.find((f) => f.name === name);
}
