/**
 * The network functions of ARCHITECTURE.md §2 and whether each exists yet. `ims up` and
 * `ims run` read this table; a function is listed as implemented only when its code is real.
 */
export interface FunctionInfo {
  name: string;
  role: string;
  implemented: boolean;
  /** Where the work is tracked while it is not implemented. */
  issue?: number;
}

export const NETWORK_FUNCTIONS: readonly FunctionInfo[] = [
  { name: 'pcscf', role: 'P-CSCF, first SIP hop of terminals', implemented: false, issue: 8 },
  { name: 'icscf', role: 'I-CSCF, entry of the home network', implemented: false, issue: 8 },
  { name: 'scscf', role: 'S-CSCF, registrar, authentication, iFC, routing', implemented: false, issue: 7 },
  { name: 'hss', role: 'HSS, subscriber data (Cx, Sh, REST API)', implemented: true, issue: 6 },
  { name: 'slf', role: 'SLF, Diameter redirect agent', implemented: true, issue: 6 },
  { name: 'as', role: 'MMTel application server', implemented: false },
  { name: 'bgcf', role: 'BGCF, PSTN breakout by number', implemented: false },
  { name: 'mgcf', role: 'MGCF, SIP <-> ISUP interworking', implemented: false },
  { name: 'pstn', role: 'simulated PSTN switch', implemented: false },
  { name: 'mrf', role: 'MRFC/MRFP, conferences, announcements, tones', implemented: false },
  { name: 'pcrf', role: 'PCRF (RACS), policy and admission control over Rx', implemented: false },
  { name: 'nass', role: 'NASS, attachment and location', implemented: false },
  { name: 'cdf', role: 'CDF, offline charging records over Rf', implemented: false },
];

export function findFunction(name: string): FunctionInfo | undefined {
  return NETWORK_FUNCTIONS.find((f) => f.name === name);
}
