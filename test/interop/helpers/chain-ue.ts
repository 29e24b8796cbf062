/**
 * A UE for chain tests, speaking SIP text to the P-CSCF over UDP, TCP or a SIP WebSocket
 * (RFC 7118, the `ws` package with subprotocol `sip`): it registers answering the 401 with our
 * client digest / AKA code (src/sip/auth), calls, answers calls, and keeps each dialog's route
 * set (RFC 3261 §12.1) so that ACK and BYE follow the Record-Route of every CSCF.
 * Everything it receives lands in a mailbox the test awaits with a predicate.
 */
import { randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';
import type { Usim } from '../../../src/aka/usim.ts';
import {
  answerAkaChallenge,
  answerDigestChallenge,
  challengeFromParams,
  credentialsToParams,
  type DigestChallenge,
  type DigestCredentials,
} from '../../../src/sip/auth/index.ts';
import {
  type Contact,
  createResponse,
  formatAuth,
  newTag,
  parseMessage,
  type SipRequest,
  type SipResponse,
  WWW_AUTHENTICATE,
} from '../../../src/sip/message/index.ts';
import { type Flow, SipTransportLayer } from '../../../src/sip/transport/index.ts';
import { Mailbox } from './mailbox.ts';

const CRLF = '\r\n';
const DOMAIN = 'ims.test';
type SipMessage = SipRequest | SipResponse;

/** One side of a dialog (RFC 3261 §12.1.1 UAS, §12.1.2 UAC). */
export interface DialogState {
  callId: string;
  localUri: string;
  localTag: string;
  remoteUri: string;
  remoteTag: string;
  remoteTarget: string;
  routeSet: string[];
  cseq: number;
}

export interface RequestOptions {
  from?: string;
  fromTag?: string;
  to?: string;
  toTag?: string;
  callId?: string;
  cseq?: number;
  branch?: string;
  headers?: string[];
  body?: string;
  contentType?: string;
  contact?: boolean;
}

export interface UeRegisterOptions {
  /** Digest password; or a USIM for IMS AKA. */
  password?: string;
  usim?: Usim;
  /** Send the IMPI in an empty Authorization on the first REGISTER (asks for AKA). */
  impiFirst?: boolean;
  expires?: number;
  /** How many 401s to answer at most (AKA resynchronisation needs 2); default 1. */
  rounds?: number;
}

export interface UeRegisterResult {
  response: SipResponse;
  /** The first challenge. */
  challenge?: DigestChallenge;
  challenges: DigestChallenge[];
  /** The 401 responses, in order. */
  unauthorized: SipResponse[];
  /** The credentials sent, in order. */
  sent: DigestCredentials[];
}

import { SDP } from './test-sdp.ts';

export { SDP };

const isFinal = (r: SipRequest, m: SipMessage): m is SipResponse =>
  !m.isRequest &&
  m.callId === r.callId &&
  m.cseq.seq === r.cseq.seq &&
  m.cseq.method === r.method &&
  (m as SipResponse).status >= 200;

export class ChainUe {
  readonly inbox = new Mailbox<SipMessage>();
  readonly impu: string;
  readonly impi: string;
  private readonly flows = new WeakMap<SipMessage, Flow>();
  private readonly regCallId = `${randomBytes(6).toString('hex')}@reg`;
  private regCseq = 1;
  private readonly wsHost = `${randomBytes(4).toString('hex')}.invalid`;

  private constructor(
    readonly user: string,
    readonly protocol: 'udp' | 'tcp' | 'ws',
    private readonly pcscfPort: number,
    private readonly transport?: SipTransportLayer,
    private readonly socket?: WebSocket,
  ) {
    this.impu = `sip:${user}@${DOMAIN}`;
    this.impi = `${user}@${DOMAIN}`;
    transport?.onMessage((m) => {
      this.flows.set(m.message, m.flow);
      this.inbox.push(m.message);
    });
    socket?.on('message', (data) => this.inbox.push(parseMessage(Buffer.from(data as Buffer))));
  }

  /** A UE over UDP or TCP from its own listener on an ephemeral port. */
  static async start(user: string, protocol: 'udp' | 'tcp', pcscfPort: number): Promise<ChainUe> {
    const transport = await SipTransportLayer.start({ listen: [{ protocol, host: '127.0.0.1', port: 0 }] });
    return new ChainUe(user, protocol, pcscfPort, transport);
  }

  /** A UE over a SIP WebSocket to the P-CSCF's ws listener. */
  static async connectWs(user: string, wsPort: number): Promise<ChainUe> {
    const socket = new WebSocket(`ws://127.0.0.1:${wsPort}`, 'sip');
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new ChainUe(user, 'ws', wsPort, undefined, socket);
  }

  get port(): number {
    return this.transport?.listening()[0]?.port ?? 0;
  }

  get contact(): string {
    if (this.protocol === 'ws') return `<sip:${this.user}@${this.wsHost};transport=ws>`;
    const t = this.protocol === 'tcp' ? ';transport=tcp' : '';
    return `<sip:${this.user}@127.0.0.1:${this.port}${t}>`;
  }

  private via(branch: string): string {
    if (this.protocol === 'ws') return `SIP/2.0/WS ${this.wsHost};branch=${branch};rport`;
    return `SIP/2.0/${this.protocol.toUpperCase()} 127.0.0.1:${this.port};branch=${branch};rport`;
  }

  /** A request as text, parsed. */
  build(method: string, uri: string, o: RequestOptions = {}): SipRequest {
    const body = o.body ?? '';
    const text = [
      `${method} ${uri} SIP/2.0`,
      `Via: ${this.via(o.branch ?? `z9hG4bK${randomBytes(6).toString('hex')}`)}`,
      'Max-Forwards: 70',
      `From: <${o.from ?? this.impu}>;tag=${o.fromTag ?? newTag()}`,
      `To: <${o.to ?? uri}>${o.toTag ? `;tag=${o.toTag}` : ''}`,
      `Call-ID: ${o.callId ?? `${randomBytes(6).toString('hex')}@ue`}`,
      `CSeq: ${o.cseq ?? 1} ${method}`,
      ...(o.contact === false ? [] : [`Contact: ${this.contact}`]),
      ...(o.headers ?? []),
      ...(body ? [`Content-Type: ${o.contentType ?? 'application/sdp'}`] : []),
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join(CRLF);
    return parseMessage(Buffer.from(text)) as SipRequest;
  }

  /** Sends a request or response to the P-CSCF (a response over the flow its request came on). */
  async send(message: SipMessage, flowOf?: SipRequest): Promise<void> {
    if (this.socket) {
      this.socket.send(message.toBuffer());
      return;
    }
    const flow = flowOf ? this.flows.get(flowOf) : undefined;
    if (!message.isRequest && flow) {
      await this.transport!.sendResponse(message as SipResponse, flow);
      return;
    }
    await this.transport!.send(message, { protocol: this.protocol, host: '127.0.0.1', port: this.pcscfPort });
  }

  /** Sends a request; resolves with its final response. */
  async request(request: SipRequest, timeoutMs = 5000): Promise<SipResponse> {
    await this.send(request);
    return (await this.inbox.next(
      (m) => isFinal(request, m),
      timeoutMs,
      `final response to ${request.method}`,
    )) as SipResponse;
  }

  /** The next request of `method` received (Call-ID too when given). */
  async nextRequest(method: string, callId?: string, timeoutMs = 5000): Promise<SipRequest> {
    return (await this.inbox.next(
      (m) =>
        m.isRequest && (m as SipRequest).method === method && (callId === undefined || m.callId === callId),
      timeoutMs,
      `${method} at ${this.user}`,
    )) as SipRequest;
  }

  /**
   * REGISTER to sip:ims.test (TS 24.229 §5.1.1.2), answering 401s (one by default) with digest
   * or AKA credentials for the IMPI. Resolves with the last final response and the challenges.
   */
  async register(o: UeRegisterOptions = {}): Promise<UeRegisterResult> {
    const uri = `sip:${DOMAIN}`;
    const fromTag = newTag();
    let authorization = o.impiFirst
      ? `Digest username="${this.impi}", realm="${DOMAIN}", nonce="", uri="${uri}", response=""`
      : undefined;
    const challenges: DigestChallenge[] = [];
    const sent: DigestCredentials[] = [];
    const unauthorized: SipResponse[] = [];
    for (let round = 0; ; round++) {
      const request = this.build('REGISTER', uri, {
        from: this.impu,
        fromTag,
        to: this.impu,
        callId: this.regCallId,
        cseq: this.regCseq++,
        headers: [
          `Expires: ${o.expires ?? 600}`,
          'Supported: path',
          ...(authorization ? [`Authorization: ${authorization}`] : []),
        ],
      });
      const response = await this.request(request);
      if (response.status !== 401 || round >= (o.rounds ?? 1))
        return {
          response,
          ...(challenges[0] ? { challenge: challenges[0] } : {}),
          challenges,
          unauthorized,
          sent,
        };
      unauthorized.push(response);
      const challenge = challengeFromParams(response.first(WWW_AUTHENTICATE)!);
      challenges.push(challenge);
      const credentials = o.usim
        ? answerAkaChallenge(challenge, this.impi, o.usim, { method: 'REGISTER', uri }).credentials
        : answerDigestChallenge(
            challenge,
            this.impi,
            { password: o.password ?? '' },
            { method: 'REGISTER', uri },
          );
      sent.push(credentials);
      authorization = formatAuth(credentialsToParams(credentials), 'credentials');
    }
  }

  /** Sends an INVITE to `target` (user part or URI); resolves with the request sent. */
  async invite(target: string, o: RequestOptions = {}): Promise<SipRequest> {
    const uri = target.includes(':') ? target : `sip:${target}@${DOMAIN}`;
    const invite = this.build('INVITE', uri, { body: SDP, ...o });
    await this.send(invite);
    return invite;
  }

  /** The final response to a request sent. */
  async finalResponse(request: SipRequest, timeoutMs = 5000): Promise<SipResponse> {
    return (await this.inbox.next(
      (m) => isFinal(request, m),
      timeoutMs,
      `final response to ${request.method}`,
    )) as SipResponse;
  }

  /** RFC 3261 §12.1.2: the caller's dialog from the INVITE and its 2xx. */
  uacDialog(invite: SipRequest, ok: SipResponse): DialogState {
    return {
      callId: invite.callId,
      localUri: invite.from.uriText,
      localTag: invite.from.tag!,
      remoteUri: invite.to.uriText,
      remoteTag: ok.to.tag!,
      remoteTarget: (ok.contacts[0] as Contact).uriText,
      routeSet: ok.headers.values('Record-Route').reverse(),
      cseq: invite.cseq.seq,
    };
  }

  /** RFC 3261 §12.1.1: the callee's dialog from the INVITE and its own To tag. */
  uasDialog(invite: SipRequest, toTag: string): DialogState {
    return {
      callId: invite.callId,
      localUri: invite.to.uriText,
      localTag: toTag,
      remoteUri: invite.from.uriText,
      remoteTag: invite.from.tag!,
      remoteTarget: (invite.contacts[0] as Contact).uriText,
      routeSet: invite.headers.values('Record-Route'),
      cseq: 0,
    };
  }

  /** A request inside the dialog (ACK reuses the INVITE's CSeq number). */
  inDialog(d: DialogState, method: string, o: RequestOptions = {}): SipRequest {
    const cseq = method === 'ACK' ? d.cseq : ++d.cseq;
    return this.build(method, d.remoteTarget, {
      from: d.localUri,
      fromTag: d.localTag,
      to: d.remoteUri,
      toTag: d.remoteTag,
      callId: d.callId,
      cseq,
      ...o,
      headers: [...d.routeSet.map((r) => `Route: ${r}`), ...(o.headers ?? [])],
    });
  }

  /** RFC 3261 §17.1.1.3: the ACK of a non-2xx final response (same branch as the INVITE). */
  async ackFailure(invite: SipRequest, response: SipResponse): Promise<void> {
    const ack = this.build('ACK', invite.uri.toString(), {
      from: invite.from.uriText,
      fromTag: invite.from.tag!,
      to: invite.to.uriText,
      toTag: response.to.tag!,
      callId: invite.callId,
      cseq: invite.cseq.seq,
      branch: invite.vias[0]!.branch!,
      contact: false,
    });
    await this.send(ack);
  }

  /** Answers a received request; a dialog-creating answer copies its Record-Route (§12.1.1). */
  async answer(
    request: SipRequest,
    status: number,
    o: { toTag?: string; headers?: [string, string][]; body?: string; contact?: boolean } = {},
  ): Promise<void> {
    const rr: [string, string][] =
      request.method === 'INVITE' && status > 100 && status < 300
        ? request.headers.values('Record-Route').map((v) => ['Record-Route', v])
        : [];
    const contact: [string, string][] = o.contact ? [['Contact', this.contact]] : [];
    const response = createResponse(request, status, {
      headers: [...rr, ...contact, ...(o.headers ?? [])],
      ...(o.toTag ? { toTag: o.toTag } : {}),
      ...(o.body ? { body: Buffer.from(o.body), contentType: 'application/sdp' } : {}),
    });
    await this.send(response, request);
  }

  async close(): Promise<void> {
    this.socket?.close();
    await this.transport?.close();
  }
}
