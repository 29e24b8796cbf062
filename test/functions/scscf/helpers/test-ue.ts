/**
 * A small SIP endpoint on our stack for S-CSCF tests: a UE that REGISTERs (answering digest
 * or AKA challenges with the client helpers of src/sip/auth and a Usim), SUBSCRIBEs and
 * collects the NOTIFYs it gets; or an application server answering third-party REGISTERs.
 * One UDP listener on 127.0.0.1, its own transaction layer, requests sent to the S-CSCF.
 */
import { randomBytes } from 'node:crypto';
import type { Usim } from '../../../../src/aka/usim.ts';
import { silentLogger } from '../../../../src/log/logger.ts';
import {
  answerAkaChallenge,
  answerDigestChallenge,
  challengeFromParams,
  credentialsToParams,
  type DigestChallenge,
  type DigestCredentials,
} from '../../../../src/sip/auth/index.ts';
import {
  createResponse,
  formatAuth,
  Headers,
  newTag,
  SipRequest,
  type SipResponse,
  WWW_AUTHENTICATE,
} from '../../../../src/sip/message/index.ts';
import {
  type ClientTransaction,
  newBranch,
  type ServerTransaction,
  TransactionLayer,
  type TransactionUser,
} from '../../../../src/sip/transaction/index.ts';
import { SipTransportLayer } from '../../../../src/sip/transport/index.ts';
import type { Destination } from '../../../../src/sip/transport/types.ts';
import { localVia } from '../../../../src/sip/transport/via-routing.ts';

export type Secret = { password: string } | { usim: Usim };

export interface RegisterOptions {
  impu: string;
  /** The Authorization username; absent: the first REGISTER carries no Authorization (baresip). */
  impi?: string;
  secret: Secret;
  expires?: number;
  /** Contact parameters, e.g. `;+sip.instance="<urn:uuid:1>";reg-id=1`. */
  contactParams?: string;
  /** Contact user part (several bindings of one UE). */
  contactUser?: string;
  /** Override the Contact header entirely (e.g. `*`). */
  contact?: string;
  headers?: [string, string][];
  /** How many challenges to answer at most. */
  rounds?: number;
  /** Changes the credentials before they are sent (a UE's quirks). */
  quirk?: (credentials: DigestCredentials) => DigestCredentials;
}

export interface RegisterResult {
  response: SipResponse;
  /** The challenges received, in order. */
  challenges: DigestChallenge[];
  /** The credentials sent, in order. */
  sent: DigestCredentials[];
}

export class TestUe implements TransactionUser {
  readonly layer: TransactionLayer;
  readonly received: SipRequest[] = [];
  /** Status answered to incoming requests (an AS that fails answers 500). */
  answer: (request: SipRequest) => number = () => 200;
  readonly callId = `${randomBytes(8).toString('hex')}@test`;
  #cseq = 1;
  readonly #tag = newTag();
  #waiters: { check: (r: SipRequest) => boolean; resolve: (r: SipRequest) => void }[] = [];

  private constructor(
    readonly transport: SipTransportLayer,
    readonly port: number,
    readonly target: Destination,
  ) {
    this.layer = new TransactionLayer({
      transport,
      user: this,
      timerValues: { T1: 100 },
      logger: silentLogger,
    });
  }

  static async start(targetPort: number): Promise<TestUe> {
    const transport = await SipTransportLayer.start({
      listen: [{ protocol: 'udp', host: '127.0.0.1', port: 0 }],
      logger: silentLogger,
    });
    return new TestUe(transport, transport.listening()[0]!.port, {
      protocol: 'udp',
      host: '127.0.0.1',
      port: targetPort,
    });
  }

  get uri(): string {
    return `sip:127.0.0.1:${this.port}`;
  }

  contactUri(user = 'ue'): string {
    return `sip:${user}@127.0.0.1:${this.port}`;
  }

  /** Sends a request built here to the S-CSCF; resolves with the final response. */
  send(request: SipRequest, destination: Destination = this.target): Promise<SipResponse> {
    request.headers.set('Via', localVia(this.transport, destination, newBranch(), true));
    return new Promise((resolve, reject) => {
      this.layer.sendRequest(request, destination, {
        onResponse: (response: SipResponse, _t: ClientTransaction) => {
          if (response.status >= 200) resolve(response);
        },
        onTimeout: () => reject(new Error(`${request.method}: no response`)),
        onTransportError: (err) => reject(err),
      });
    });
  }

  /** A request of ours outside any dialog (fresh From tag per call unless `callId` is ours). */
  build(
    method: string,
    uri: string,
    options: { from: string; to: string; callId?: string; headers?: [string, string][]; contact?: string },
  ): SipRequest {
    const headers = new Headers();
    headers.append('Max-Forwards', '70');
    headers.append('From', `<${options.from}>;tag=${options.callId === this.callId ? this.#tag : newTag()}`);
    headers.append('To', `<${options.to}>`);
    headers.append('Call-ID', options.callId ?? `${randomBytes(8).toString('hex')}@test`);
    headers.append('CSeq', `${this.#cseq++} ${method}`);
    if (options.contact !== undefined) headers.append('Contact', options.contact);
    for (const [n, v] of options.headers ?? []) headers.append(n, v);
    return new SipRequest(method, uri, headers);
  }

  /** REGISTER with our Call-ID (RFC 3261 §10.2: the same for every REGISTER to a registrar). */
  async register(o: RegisterOptions): Promise<RegisterResult> {
    const challenges: DigestChallenge[] = [];
    const sent: DigestCredentials[] = [];
    const uri = `sip:${o.impu.slice(o.impu.indexOf('@') + 1)}`;
    const contact = o.contact ?? `<${this.contactUri(o.contactUser)}>${o.contactParams ?? ''}`;
    let authorization: string | undefined;
    if (o.impi !== undefined)
      authorization = `Digest username="${o.impi}", realm="ims.test", nonce="", uri="${uri}", response=""`;
    let response: SipResponse | undefined;
    for (let round = 0; round <= (o.rounds ?? 2); round++) {
      const headers: [string, string][] = [...(o.headers ?? [])];
      if (o.expires !== undefined) headers.push(['Expires', String(o.expires)]);
      if (authorization !== undefined) headers.push(['Authorization', authorization]);
      const request = this.build('REGISTER', uri, {
        from: o.impu,
        to: o.impu,
        callId: this.callId,
        contact,
        headers,
      });
      response = await this.send(request);
      if (response.status !== 401) break;
      const challenge = challengeFromParams(response.first(WWW_AUTHENTICATE)!);
      challenges.push(challenge);
      const username = o.impi ?? o.impu.replace(/^sips?:/, '');
      const credentials =
        'usim' in o.secret
          ? answerAkaChallenge(challenge, username, o.secret.usim, { method: 'REGISTER', uri }).credentials
          : answerDigestChallenge(
              challenge,
              username,
              { password: o.secret.password },
              { method: 'REGISTER', uri },
            );
      const answered = o.quirk ? o.quirk(credentials) : credentials;
      sent.push(answered);
      authorization = formatAuth(credentialsToParams(answered), 'credentials');
    }
    return { response: response!, challenges, sent };
  }

  /** The next request received (already answered) that `check` accepts. */
  next(check: (r: SipRequest) => boolean = () => true, timeoutMs = 5000): Promise<SipRequest> {
    const found = this.received.find(check);
    if (found) {
      this.received.splice(this.received.indexOf(found), 1);
      return Promise.resolve(found);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching request received')), timeoutMs);
      this.#waiters.push({
        check,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      });
    });
  }

  async close(): Promise<void> {
    this.layer.dispose();
    await this.transport.close();
  }

  // ---- TransactionUser ----
  onRequest(request: SipRequest, transaction: ServerTransaction): void {
    transaction.respond(createResponse(request, this.answer(request)));
    const waiter = this.#waiters.find((w) => w.check(request));
    if (waiter) {
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.resolve(request);
    } else this.received.push(request);
  }
  onCancel(): void {}
  onAck(): void {}
  onStrayResponse(): void {}
  onTransportError(): void {}
  onTimeout(): void {}
}
