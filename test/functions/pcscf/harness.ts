/**
 * A P-CSCF under test in front of a fake home network (one SIP endpoint playing I-CSCF,
 * S-CSCF registrar, reg-event notifier and proxy), and UEs speaking raw SIP over UDP, TCP,
 * TLS and WebSocket.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import {
  type Pcscf,
  type PcscfOptions,
  pcscfConfigSchema,
  startPcscf,
} from '../../../src/functions/pcscf/index.ts';
import { buildReginfo, REGINFO_CONTENT_TYPE, type Reginfo } from '../../../src/ims/reginfo.ts';
import { createLogger, silentLogger } from '../../../src/log/logger.ts';
import { OutgoingRequest } from '../../../src/sip/dialog/index.ts';
import { SipResolver } from '../../../src/sip/dns/index.ts';
import {
  type Contact,
  createResponse,
  Headers,
  newTag,
  parseMessage,
  SipRequest,
  type SipResponse,
  SipUri,
} from '../../../src/sip/message/index.ts';
import { type RequestContext, type RoutingDecision, StatefulProxy } from '../../../src/sip/proxy/index.ts';
import { systemTimers } from '../../../src/sip/transaction/index.ts';
import {
  type CertificatePems,
  ensureSelfSignedCertificate,
  type IncomingMessage,
  SipTransportLayer,
} from '../../../src/sip/transport/index.ts';
import type { Destination, TransportProtocol } from '../../../src/sip/transport/types.ts';
import { freePort } from '../../interop/helpers/free-port.ts';
import { Mailbox } from '../../interop/helpers/mailbox.ts';

const CRLF = '\r\n';
/** The parser needs a Via (RFC 3261 §8.1.1); the core's OutgoingRequest replaces it with its own. */
export const PLACEHOLDER_VIA = 'Via: SIP/2.0/UDP placeholder.invalid;branch=z9hG4bKplaceholder';
let counter = 0;
export const unique = (p: string) => `${p}${++counter}${Date.now().toString(36)}`;

export const isRequest = (method: string) => (m: SipRequest | SipResponse) =>
  m.isRequest && (m as SipRequest).method === method;
export const isResponse = (callId: string, method?: string) => (m: SipRequest | SipResponse) =>
  !m.isRequest && m.callId === callId && (!method || m.cseq.method === method);

/** A binding the fake registrar keeps. */
interface Binding {
  contact: string;
  path: string[];
}

/**
 * The home network as one element: registrar (200 with Service-Route, P-Associated-URI, the
 * Path echoed), reg-event notifier, and a proxy that sends originating requests on to the
 * callee's contact through its Path (record-routing itself).
 */
export class FakeCore {
  readonly received = new Mailbox<SipRequest>();
  readonly requests: SipRequest[] = [];
  readonly bindings = new Map<string, Binding>();
  readonly subscriptions: { request: SipRequest; toTag: string; notifySeq: number }[] = [];
  /** P-Associated-URI lists by registered IMPU (default: the IMPU alone). */
  readonly associated = new Map<string, string[]>();
  /** Answer originating requests here instead of forwarding them (e.g. 200 to a MESSAGE). */
  answerOriginating: ((request: SipRequest) => number | undefined) | undefined;
  /** A WWW-Authenticate to challenge REGISTERs without Authorization with (401). */
  challenge: string | undefined;
  private readonly proxy: StatefulProxy;
  private readonly resolver: SipResolver;

  private constructor(
    readonly transport: SipTransportLayer,
    readonly port: number,
  ) {
    this.resolver = new SipResolver({ protocols: ['udp'] });
    this.proxy = new StatefulProxy({
      transport,
      resolve: async (uri) => (uri instanceof SipUri ? this.resolver.resolve(uri) : []),
      localAddresses: [{ host: '127.0.0.1', port }],
      policy: {
        route: (rc) => this.route(rc),
        recordRoute: () => `sip:127.0.0.1:${port};lr`,
      },
    });
  }

  static async start(): Promise<FakeCore> {
    const transport = await SipTransportLayer.start({
      listen: [{ protocol: 'udp', host: '127.0.0.1', port: 0 }],
    });
    return new FakeCore(transport, transport.listening()[0]!.port);
  }

  get serviceRoute(): string {
    return `<sip:orig@127.0.0.1:${this.port};lr>`;
  }

  private route(rc: RequestContext): RoutingDecision {
    const r = rc.request;
    this.requests.push(r);
    this.received.push(r);
    if (r.method === 'REGISTER') {
      if (this.challenge !== undefined && !r.headers.has('Authorization')) {
        rc.transaction.respond(
          createResponse(r, 401, { toTag: newTag(), headers: [['WWW-Authenticate', this.challenge]] }),
        );
        return { action: 'handled' };
      }
      rc.transaction.respond(this.registerOk(r));
      return { action: 'handled' };
    }
    if (r.method === 'SUBSCRIBE' && r.to.tag === undefined) {
      const toTag = newTag();
      this.subscriptions.push({ request: r, toTag, notifySeq: 0 });
      rc.transaction.respond(
        createResponse(r, 200, {
          toTag,
          headers: [
            ['Contact', `<sip:127.0.0.1:${this.port}>`],
            ['Expires', r.headers.get('Expires') ?? '600'],
          ],
        }),
      );
      return { action: 'handled' };
    }
    if (r.to.tag !== undefined) return { action: 'relay' };
    const status = this.answerOriginating?.(r);
    if (status !== undefined) return { action: 'respond', status };
    const binding = this.bindings.get(aor(r.uri.toString()));
    if (!binding) return { action: 'respond', status: 404 };
    return { action: 'forward', targets: [{ uri: SipUri.parse(binding.contact), routes: binding.path }] };
  }

  private registerOk(r: SipRequest): SipResponse {
    const impu = r.to.uriText;
    const contacts = r.contacts.filter((c) => c !== '*') as Contact[];
    const expires = contacts[0]?.expires ?? r.expires ?? 3600;
    const headers: [string, string][] = [];
    if (expires > 0 && contacts[0]) {
      this.bindings.set(aor(impu), { contact: contacts[0].uriText, path: r.headers.values('Path') });
      for (const c of contacts) headers.push(['Contact', `<${c.uriText}>;expires=${expires}`]);
      for (const p of r.headers.values('Path')) headers.push(['Path', p]);
      headers.push(['Service-Route', this.serviceRoute]);
      for (const a of this.associated.get(impu) ?? [impu]) headers.push(['P-Associated-URI', `<${a}>`]);
    } else this.bindings.delete(aor(impu));
    return createResponse(r, 200, { headers });
  }

  /** A NOTIFY (reginfo body) in the reg-event subscription to `identity`; resolves with the P-CSCF's answer. */
  notify(identity: string, reginfo: Reginfo, state = 'active;expires=600'): Promise<SipResponse> {
    const s = this.subscriptions.find((x) => aor(x.request.uri.toString()) === aor(identity));
    if (!s) throw new Error(`no subscription to ${identity}`);
    const sub = s.request;
    const contact = (sub.contacts[0] as Contact).uri;
    const headers = new Headers();
    headers.append('Max-Forwards', '70');
    headers.append('From', `${sub.headers.get('To')};tag=${s.toTag}`);
    headers.append('To', sub.headers.get('From')!);
    headers.append('Call-ID', sub.callId);
    headers.append('CSeq', `${++s.notifySeq} NOTIFY`);
    headers.append('Contact', `<sip:127.0.0.1:${this.port}>`);
    headers.append('Event', 'reg');
    headers.append('Subscription-State', state);
    headers.append('Content-Type', REGINFO_CONTENT_TYPE);
    const notify = new SipRequest('NOTIFY', contact, headers, Buffer.from(buildReginfo(reginfo)));
    return this.send(notify);
  }

  /**
   * A MESSAGE from carol to the UE registered here as `impu`, at its Contact through its Path
   * (a terminating request); resolves with the final response.
   */
  messageTo(impu: string, callId: string, body: string): Promise<SipResponse> {
    const binding = this.bindings.get(aor(impu));
    if (!binding) throw new Error(`${impu} is not registered here`);
    const text = requestText({
      method: 'MESSAGE',
      uri: binding.contact,
      from: 'sip:carol@ims.test',
      to: impu,
      callId,
      headers: [`Route: ${binding.path[0]}`],
      body,
      contentType: 'text/plain',
    });
    return this.send(parseMessage(Buffer.from(text.replace('Via: VIA', PLACEHOLDER_VIA))) as SipRequest);
  }

  /** Sends a request as a UAC of this element; resolves with its final response. */
  send(request: SipRequest, destination?: Destination): Promise<SipResponse> {
    return new Promise((resolve) => {
      const outgoing = new OutgoingRequest(
        {
          layer: this.proxy.layer,
          transport: this.transport,
          resolve: async (uri) => (uri instanceof SipUri ? this.resolver.resolve(uri) : []),
          timers: systemTimers,
          timerValues: this.proxy.layer.timerValues,
          logger: silentLogger,
          absorb2xx: () => false,
        },
        request,
        { onResponse: (r) => r.status >= 200 && resolve(r) },
        destination,
      );
      outgoing.start();
    });
  }

  async close(): Promise<void> {
    this.proxy.dispose();
    this.resolver.close();
    await this.transport.close();
  }
}

/** RFC 3261 §10.3 comparison key of an AOR (scheme, user, host). */
export function aor(uri: string): string {
  const u = SipUri.parse(uri);
  return `sip:${u.user}@${u.host.toLowerCase()}`;
}

/** A UE speaking raw SIP over one transport (UDP, TCP or TLS) from its own listener. */
export class RawUe {
  readonly inbox = new Mailbox<SipRequest | SipResponse>();
  readonly incoming: IncomingMessage[] = [];

  private constructor(
    readonly transport: SipTransportLayer,
    readonly protocol: TransportProtocol,
    readonly pcscfPort: number,
  ) {
    transport.onMessage((m) => {
      this.incoming.push(m);
      this.inbox.push(m.message);
    });
  }

  static async start(
    protocol: 'udp' | 'tcp' | 'tls',
    pcscfPort: number,
    tls?: CertificatePems,
  ): Promise<RawUe> {
    const transport = await SipTransportLayer.start({
      listen: [{ protocol, host: '127.0.0.1', port: 0 }],
      ...(tls ? { tls: { cert: tls.cert, key: tls.key, ca: tls.cert } } : {}),
    });
    return new RawUe(transport, protocol, pcscfPort);
  }

  get port(): number {
    return this.transport.listening()[0]!.port;
  }

  get via(): string {
    return `SIP/2.0/${this.protocol.toUpperCase()} 127.0.0.1:${this.port};branch=z9hG4bK${unique('b')};rport`;
  }

  /** Sends request text (its `VIA` placeholder replaced by our Via) to the P-CSCF. */
  async send(text: string): Promise<SipRequest> {
    const request = parseMessage(Buffer.from(text.replace('VIA', this.via))) as SipRequest;
    await this.transport.send(request, {
      protocol: this.protocol,
      host: '127.0.0.1',
      port: this.pcscfPort,
      serverName: '127.0.0.1',
    });
    return request;
  }

  /** Sends a request and waits for its final response. */
  async request(text: string): Promise<SipResponse> {
    const r = await this.send(text);
    return (await this.inbox.next(
      (m) =>
        !m.isRequest &&
        m.callId === r.callId &&
        (m as SipResponse).status >= 200 &&
        m.cseq.seq === r.cseq.seq,
    )) as SipResponse;
  }

  /** Answers a received request (Via, From, To, Call-ID, CSeq copied). */
  async answer(
    request: SipRequest,
    status: number,
    headers: [string, string][] = [],
    toTag?: string,
  ): Promise<void> {
    // RFC 3261 §12.1.1: a UAS copies the Record-Route into responses that set up a dialog.
    const rr: [string, string][] = request.headers.values('Record-Route').map((v) => ['Record-Route', v]);
    const response = createResponse(request, status, {
      headers: [...rr, ...headers],
      ...(toTag ? { toTag } : {}),
    });
    const flow = this.incoming.find((i) => i.message === request)!.flow;
    await this.transport.sendResponse(response, flow);
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}

/** A browser-like UE over a SIP WebSocket (RFC 7118), raw SIP text in WebSocket messages. */
export class WsUe {
  readonly inbox = new Mailbox<SipRequest | SipResponse>();
  readonly host = `${unique('h')}.invalid`;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => this.inbox.push(parseMessage(Buffer.from(data as Buffer))));
  }

  static async connect(port: number): Promise<WsUe> {
    const socket = new WebSocket(`ws://127.0.0.1:${port}`, 'sip');
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new WsUe(socket);
  }

  get via(): string {
    return `SIP/2.0/WS ${this.host};branch=z9hG4bK${unique('w')};rport`;
  }

  send(text: string): SipRequest {
    const t = text.replace('VIA', this.via);
    this.socket.send(t);
    return parseMessage(Buffer.from(t)) as SipRequest;
  }

  async request(text: string): Promise<SipResponse> {
    const r = this.send(text);
    return (await this.inbox.next(
      (m) =>
        !m.isRequest &&
        m.callId === r.callId &&
        (m as SipResponse).status >= 200 &&
        m.cseq.seq === r.cseq.seq,
    )) as SipResponse;
  }

  reply(request: SipRequest, status: number, headers: [string, string][] = [], toTag?: string): void {
    this.socket.send(createResponse(request, status, { headers, ...(toTag ? { toTag } : {}) }).toBuffer());
  }

  close(): void {
    this.socket.close();
  }
}

/** A request as text; `VIA` is replaced by the sender's Via. */
export function requestText(o: {
  method: string;
  uri: string;
  from: string;
  to?: string;
  toTag?: string;
  callId?: string;
  cseq?: number;
  headers?: string[];
  body?: string;
  contentType?: string;
}): string {
  const body = o.body ?? '';
  return [
    `${o.method} ${o.uri} SIP/2.0`,
    'Via: VIA',
    'Max-Forwards: 70',
    `From: <${o.from}>;tag=${unique('f')}`,
    `To: <${o.to ?? o.uri}>${o.toTag ? `;tag=${o.toTag}` : ''}`,
    `Call-ID: ${o.callId ?? unique('call')}`,
    `CSeq: ${o.cseq ?? 1} ${o.method}`,
    ...(o.headers ?? []),
    ...(body ? [`Content-Type: ${o.contentType ?? 'application/sdp'}`] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join(CRLF);
}

export function registerText(
  impu: string,
  contact: string,
  o: { expires?: number; headers?: string[]; callId?: string; cseq?: number } = {},
): string {
  return requestText({
    method: 'REGISTER',
    uri: 'sip:ims.test',
    from: impu,
    to: impu,
    callId: o.callId,
    cseq: o.cseq,
    headers: [`Contact: <${contact}>`, `Expires: ${o.expires ?? 600}`, ...(o.headers ?? [])],
  });
}

export { SDP } from '../../interop/helpers/test-sdp.ts';

/** A P-CSCF (udp+tcp on a free port, tls and ws on any) in front of a fake core. */
export async function startBench(overrides: Record<string, unknown> = {}, options: PcscfOptions = {}) {
  const core = await FakeCore.start();
  const certDir = await mkdtemp(join(tmpdir(), 'pcscf-tls-'));
  const pems = await ensureSelfSignedCertificate(certDir, ['127.0.0.1', 'localhost']);
  const port = await freePort();
  const config = pcscfConfigSchema.parse({
    sip: {
      host: '127.0.0.1',
      port,
      listen: [
        { protocol: 'udp', host: '127.0.0.1', port },
        { protocol: 'tcp', host: '127.0.0.1', port },
        { protocol: 'tls', host: '127.0.0.1', port: 0 },
        { protocol: 'ws', host: '127.0.0.1', port: 0 },
      ],
      protocols: ['udp'],
    },
    icscf: `sip:127.0.0.1:${core.port}`,
    ...overrides,
  });
  const start = (): Promise<Pcscf> =>
    startPcscf(
      config,
      process.env.PCSCF_LOG ? createLogger({ level: process.env.PCSCF_LOG }) : silentLogger,
      { tlsMaterial: pems, ...options },
    );
  const bench = {
    core,
    pcscf: await start(),
    pems,
    port,
    portOf: (p: TransportProtocol) =>
      bench.pcscf.sip.transport.listening().find((l) => l.protocol === p)!.port,
    /** Stops the P-CSCF and starts it again with the same configuration (same port). */
    async restartPcscf() {
      await bench.pcscf.stop();
      bench.pcscf = await start();
    },
    async close() {
      await bench.pcscf.stop();
      await core.close();
      await rm(certDir, { recursive: true, force: true });
    },
  };
  return bench;
}
