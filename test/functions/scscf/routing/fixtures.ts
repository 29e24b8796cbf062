/**
 * Test fixtures of the S-CSCF session routing: a Map-based RegistrationStore with prepared
 * records, iFC and record builders, a config, and a RequestContext built the way the proxy
 * core builds it (Route values naming us removed, first first).
 */

import { type ScscfConfig, scscfConfigSchema } from '../../../../src/functions/scscf/config.ts';
import {
  DefaultHandling,
  type InitialFilterCriteria,
  type ServicePointTrigger,
  type SessionCase,
} from '../../../../src/ims/ifc/model.ts';
import { buildUserData } from '../../../../src/ims/user-data.ts';
import type { NameAddr } from '../../../../src/sip/message/index.ts';
import { parseMessage, type SipRequest, SipUri } from '../../../../src/sip/message/index.ts';
import type { RequestContext } from '../../../../src/sip/proxy/proxy-policy.ts';
import type {
  Binding,
  Registration,
  RegistrationStore,
  RegistrationUpdate,
} from '../../../../src/store/registrations/types.ts';

/** Records indexed by every IMPU of their implicit set. */
export class MapRegistrationStore implements RegistrationStore {
  readonly byImpu = new Map<string, Registration>();

  put(record: Registration): Registration {
    for (const impu of record.impus) this.byImpu.set(impu, record);
    return record;
  }

  async get(impu: string): Promise<Registration | undefined> {
    return this.byImpu.get(impu);
  }

  async update(
    impu: string,
    fn: (current: Registration | undefined) => RegistrationUpdate,
  ): Promise<Registration | undefined> {
    const current = this.byImpu.get(impu);
    const next = fn(current);
    if (next === undefined) return undefined;
    for (const i of current?.impus ?? []) this.byImpu.delete(i);
    if (next === null) return undefined;
    return this.put({ ...next, revision: (current?.revision ?? 0) + 1 });
  }

  async expiring(time: number): Promise<string[]> {
    const out = new Set<string>();
    for (const r of this.byImpu.values())
      if (r.bindings.some((b) => b.expiresAt <= time)) out.add(r.impus[0]!);
    return [...out];
  }

  async countRegistered(): Promise<number> {
    return new Set([...this.byImpu.values()].filter((r) => r.state === 'registered')).size;
  }

  async *list(): AsyncIterable<Registration> {
    yield* new Set(this.byImpu.values());
  }

  async close(): Promise<void> {}
}

/** An iFC with a DNF trigger point made of the given SPTs, each in its own group (ORed). */
export function ifc(
  priority: number,
  serverName: string,
  spts: ServicePointTrigger[] | undefined,
  defaultHandling: DefaultHandling = DefaultHandling.SESSION_CONTINUED,
): InitialFilterCriteria {
  return {
    priority,
    applicationServer: { serverName, defaultHandling },
    ...(spts ? { triggerPoint: { conditionTypeCNF: false, spts } } : {}),
  };
}

/** SPTs ANDed: one group for all (DNF). */
export function allOf(
  priority: number,
  serverName: string,
  spts: ServicePointTrigger[],
  dh?: DefaultHandling,
) {
  return ifc(
    priority,
    serverName,
    spts.map((s) => ({ ...s, groups: [0] })),
    dh,
  );
}

export const method = (m: string, negated = false): ServicePointTrigger => ({
  kind: 'method',
  method: m,
  conditionNegated: negated,
  groups: [0],
});
export const sessionCase = (c: SessionCase): ServicePointTrigger => ({
  kind: 'sessionCase',
  sessionCase: c,
  conditionNegated: false,
  groups: [0],
});
export const header = (h: string, content?: string, negated = false): ServicePointTrigger => ({
  kind: 'sipHeader',
  header: h,
  ...(content !== undefined ? { content } : {}),
  conditionNegated: negated,
  groups: [0],
});

export function binding(contact: string, path: string[] = [], expiresIn = 3600_000): Binding {
  return {
    contact,
    params: '',
    expiresAt: Date.now() + expiresIn,
    path,
    callId: `reg-${contact}`,
    cseq: 1,
    id: Math.random().toString(36).slice(2),
    registeredAt: Date.now(),
  };
}

export interface RecordOptions {
  impus: string[];
  ifcs?: InitialFilterCriteria[];
  bindings?: Binding[];
  state?: 'registered' | 'unregistered';
  barred?: string[];
  charging?: Registration['charging'];
}

export function record(o: RecordOptions): Registration {
  return {
    impus: o.impus,
    barred: o.barred ?? [],
    impi: `${o.impus[0]!.replace(/^sip:/, '')}`,
    state: o.state ?? 'registered',
    userData: buildUserData({
      privateId: o.impus[0]!.replace(/^sip:/, ''),
      serviceProfiles: [
        {
          publicIdentities: o.impus.map((identity) => ({ identity })),
          initialFilterCriteria: o.ifcs ?? [],
          sharedIfcSetIds: [],
        },
      ],
    }),
    ...(o.charging ? { charging: o.charging } : {}),
    bindings: o.bindings ?? [],
    revision: 1,
  };
}

export function scscfConfig(
  routing: Record<string, unknown> = {},
  sip: Record<string, unknown> = {},
): ScscfConfig {
  return scscfConfigSchema.parse({ routing, sip });
}

export const SELF = new SipUri({ host: 'scscf.ims.test', port: 6060 });

/** A RequestContext as the proxy core makes one: Route values naming `self` removed. */
export function requestContext(text: string, self: SipUri = SELF): RequestContext & { responded: unknown[] } {
  const request = parseMessage(Buffer.from(text.replace(/\r?\n/g, '\r\n'))) as SipRequest;
  const removedRoutes: NameAddr[] = [];
  while (request.headers.has('Route')) {
    const first = request.routes[0]!;
    const uri = first.uri as SipUri;
    if (uri.host !== self.host || (uri.port ?? 5060) !== self.port) break;
    removedRoutes.push(first);
    request.headers.shift('Route');
  }
  const responded: unknown[] = [];
  return {
    request,
    removedRoutes,
    data: {},
    responded,
    flow: {} as RequestContext['flow'],
    transaction: {} as RequestContext['transaction'],
  };
}

/** An INVITE as the P-CSCF sends it over the Service-Route, or as the I-CSCF sends it. */
export function invite(
  opts: { to: string; from?: string; pai?: string; route?: string; extra?: string; toTag?: string } = {
    to: 'sip:bob@ims.test',
  },
): string {
  const from = opts.from ?? 'sip:alice@ims.test';
  return [
    `INVITE ${opts.to} SIP/2.0`,
    'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-test1',
    'Max-Forwards: 69',
    ...(opts.route ? [`Route: ${opts.route}`] : []),
    `From: <${from}>;tag=f1`,
    `To: <${opts.to}>${opts.toTag ? `;tag=${opts.toTag}` : ''}`,
    'Call-ID: call-1@test',
    'CSeq: 1 INVITE',
    'Contact: <sip:alice@127.0.0.1:5999>',
    ...(opts.pai ? [`P-Asserted-Identity: <${opts.pai}>`] : []),
    ...(opts.extra ? [opts.extra] : []),
    'Content-Length: 0',
    '',
    '',
  ].join('\n');
}
