import { NETWORK_FUNCTIONS } from './functions.ts';

/** What exists so far, printed by `ims up` until there is something to start. */
export const LIBRARIES: readonly { name: string; what: string }[] = [
  { name: 'sip/message', what: 'SIP message parser and serializer (RFC 3261, RFC 3966, RFC 7315)' },
];

export function upSummary(): string {
  const lines: string[] = [];
  const ready = NETWORK_FUNCTIONS.filter((f) => f.implemented);
  lines.push('ims up: the IMS core, all functions on this machine.');
  lines.push('');
  if (ready.length === 0) {
    lines.push('No network function is implemented yet, so there is nothing to start.');
  }
  lines.push('Network functions:');
  for (const f of NETWORK_FUNCTIONS) {
    const state = f.implemented ? 'ready' : `not implemented yet${f.issue ? ` (issue #${f.issue})` : ''}`;
    lines.push(`  ${f.name.padEnd(6)} ${f.role.padEnd(52)} ${state}`);
  }
  lines.push('');
  lines.push('Libraries available:');
  for (const l of LIBRARIES) lines.push(`  ${l.name.padEnd(14)} ${l.what}`);
  return lines.join('\n');
}
