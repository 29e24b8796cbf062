/**
 * Human output of `ims subscriber show|add|list`: what an operator reads. Scripts use `--json`,
 * which prints the API's JSON as it is; this text may change.
 */

/** The parts of the API's Subscription this output reads. */
export interface SubscriptionJson {
  id: string;
  privateIdentities: {
    impi: string;
    allowedSchemes: string[];
    k?: unknown;
    opc?: unknown;
    op?: unknown;
    amf?: string;
    sqn?: number;
    ha1Md5?: unknown;
    ha1Sha256?: unknown;
  }[];
  publicIdentities: {
    impu: string;
    identityType?: number;
    barringIndication?: boolean;
    displayName?: string;
    serviceProfileId: string;
    registrationState?: string;
  }[];
  serviceProfiles: { id: string; initialFilterCriteria?: unknown[]; sharedIfcSetIds?: number[] }[];
  serverAssignment?: { scscfName: string; diameterHost?: string };
}

const AKA = new Set(['AKAv1-MD5', 'AKAv2-MD5']);

/** `digest+AKA`, `digest`, `AKA`: the kinds of authentication a subscription allows. */
export function authenticationKinds(sub: SubscriptionJson): string {
  const schemes = sub.privateIdentities.flatMap((p) => p.allowedSchemes);
  const kinds: string[] = [];
  if (schemes.some((s) => !AKA.has(s))) kinds.push('digest');
  if (schemes.some((s) => AKA.has(s))) kinds.push('AKA');
  return kinds.join('+') || '-';
}

/** REGISTERED when any public identity is, else UNREGISTERED when any is, else NOT_REGISTERED. */
export function overallState(sub: SubscriptionJson): string {
  const states = sub.publicIdentities.map((p) => p.registrationState ?? 'NOT_REGISTERED');
  if (states.includes('REGISTERED')) return 'REGISTERED';
  if (states.includes('UNREGISTERED')) return 'UNREGISTERED';
  return 'NOT_REGISTERED';
}

function credentials(pi: SubscriptionJson['privateIdentities'][number]): string {
  const parts: string[] = [];
  if (pi.ha1Md5 !== undefined || pi.ha1Sha256 !== undefined) parts.push('password set');
  if (pi.k !== undefined) parts.push('K set');
  if (pi.opc !== undefined) parts.push('OPc set');
  if (pi.op !== undefined) parts.push('OP set');
  if (pi.amf !== undefined) parts.push(`AMF ${pi.amf}`);
  if (pi.sqn !== undefined && pi.k !== undefined) parts.push(`SQN ${pi.sqn}`);
  return parts.join(', ');
}

/** Several lines describing one subscription. */
export function formatSubscription(sub: SubscriptionJson): string {
  const label = (name: string) => `  ${name.padEnd(14)}`;
  const lines = [sub.publicIdentities[0]?.impu ?? sub.id, `${label('subscription')}${sub.id}`];
  const width = Math.max(...sub.publicIdentities.map((p) => p.impu.length));
  sub.publicIdentities.forEach((p, i) => {
    const notes = [p.registrationState ?? 'NOT_REGISTERED', `profile ${p.serviceProfileId}`];
    if (p.barringIndication) notes.push('barred');
    if (p.displayName !== undefined) notes.push(`"${p.displayName}"`);
    lines.push(`${i === 0 ? label('public') : label('')}${p.impu.padEnd(width)}  ${notes.join(', ')}`);
  });
  if (sub.privateIdentities.length === 0) lines.push(`${label('private')}none`);
  sub.privateIdentities.forEach((p, i) => {
    const detail = credentials(p);
    lines.push(
      `${i === 0 ? label('private') : label('')}${p.impi}  ${p.allowedSchemes.join(', ')}${detail ? ` (${detail})` : ''}`,
    );
  });
  for (const sp of sub.serviceProfiles) {
    const ifcs = sp.initialFilterCriteria?.length ?? 0;
    const shared = sp.sharedIfcSetIds?.length ? `, shared iFC sets ${sp.sharedIfcSetIds.join(', ')}` : '';
    lines.push(`${label('profile')}${sp.id}: ${ifcs} iFC${ifcs === 1 ? '' : 's'}${shared}`);
  }
  if (sub.serverAssignment !== undefined) lines.push(`${label('S-CSCF')}${sub.serverAssignment.scscfName}`);
  return lines.join('\n');
}

export const LIST_HEADER = `${'IMPU'.padEnd(36)} ${'IMPI'.padEnd(32)} ${'AUTH'.padEnd(10)} STATE`;

/** One line of `ims subscriber list`. */
export function formatListLine(sub: SubscriptionJson): string {
  const impu = sub.publicIdentities[0]?.impu ?? '';
  const more = sub.publicIdentities.length > 1 ? ` (+${sub.publicIdentities.length - 1})` : '';
  const impi = sub.privateIdentities[0]?.impi ?? '-';
  return `${`${impu}${more}`.padEnd(36)} ${impi.padEnd(32)} ${authenticationKinds(sub).padEnd(10)} ${overallState(sub)}`;
}
