import { type Logger, silentLogger } from '../../log/logger.ts';
import {
  createResponse,
  NameAddr,
  type ResponseOptions,
  type SipRequest,
  type SipResponse,
  SipUri,
} from '../message/index.ts';
import {
  type InviteServerTransaction,
  type NonInviteServerTransaction,
  type ServerTransaction,
  systemTimers,
  type TimerService,
  type TimerValues,
  TransactionLayer,
  TransactionState,
  type TransactionUser,
} from '../transaction/index.ts';
import type {
  Destination,
  Flow,
  TransportError,
  TransportLayer,
  TransportProtocol,
} from '../transport/types.ts';
import { type Dialog, DialogRequestError, dialogKey } from './dialog.ts';
import { DialogError } from './errors.ts';
import { optionTags } from './extension-headers.ts';
import {
  type NextHopResolver,
  nextHopOf,
  OutgoingRequest,
  type OutgoingRequestContext,
  type OutgoingRequestUser,
  ourVia,
} from './outgoing-request.ts';
import type { SessionBody } from './session-body.ts';
import { UacAckCache } from './uac-ack-cache.ts';
import { Uas2xxRetransmission } from './uas-2xx-retransmission.ts';

/** What a dialog usage (an INVITE session) receives from the core. */
export interface DialogUser {
  /** A request inside the dialog (not ACK, not CANCEL), its CSeq already checked (§12.2.2). */
  onDialogRequest(request: SipRequest, transaction: ServerTransaction): void;
  /** The ACK for a 2xx this dialog sent (RFC 3261 §13.3.1.4). */
  onAck(ack: SipRequest): void;
  /** RFC 3261 §13.3.1.4: no ACK for our 2xx within 64*T1; the session is to be ended with BYE. */
  onAckTimeout(response: SipResponse): void;
}

/** Told when a CANCEL ends a pending INVITE (RFC 3261 §9.2), after the core sent the 487. */
export interface CancelListener {
  /** The To tag of the responses already sent, for the 487. */
  toTag: string | undefined;
  onCancelled(cancel: SipRequest): void;
}

/** The application's handler of new requests outside any dialog. */
export type RequestHandler = (request: SipRequest, transaction: ServerTransaction, flow: Flow) => void;

export interface UserAgentCoreOptions {
  transport: TransportLayer;
  /** RFC 3263 next-hop resolution (e.g. `(uri) => sipResolver.resolve(uri)`). */
  resolve: NextHopResolver;
  /** New requests outside any dialog; without one, they are answered 480. */
  onRequest?: RequestHandler;
  /** Our Contact URI; by default built from the transport's advertised address. */
  contact?: string;
  /** Option tags understood in Require (RFC 3261 §8.2.2.3); default 100rel and timer. */
  supported?: readonly string[];
  /** RFC 3261 §8.2.2.2 merged request detection (482); default on. */
  mergedRequestDetection?: boolean;
  timerValues?: Partial<TimerValues>;
  timers?: TimerService;
  logger?: Logger;
}

const CONTACT_PROTOCOLS: readonly TransportProtocol[] = ['udp', 'tcp', 'tls', 'ws', 'wss'];

function pendingKey(
  callId: string,
  localTag: string | undefined,
  remoteTag: string | undefined,
  seq: number,
) {
  return `${dialogKey({ callId, localTag: localTag ?? '', remoteTag: remoteTag ?? '' })}\n${seq}`;
}

/**
 * The user agent core (RFC 3261 §8, §12-§15) as the TU of a TransactionLayer: sends requests
 * through client transactions, builds and re-sends ACKs for 2xx (§13.2.2.4), retransmits its
 * 2xx to INVITE until the ACK (§13.3.1.4), routes requests to their dialog (481 without one,
 * §12.2.2), answers CANCEL (§9.2) and detects merged requests (§8.2.2.2). Sessions live above it.
 */
export class UserAgentCore implements TransactionUser {
  readonly layer: TransactionLayer;
  readonly timers: TimerService;
  readonly logger: Logger;
  readonly supported: readonly string[];
  private handler: RequestHandler | undefined;
  private contactAddress: NameAddr | undefined;
  private readonly dialogs = new Map<string, { dialog: Dialog; user: DialogUser }>();
  private readonly pending2xx = new Map<string, Uas2xxRetransmission>();
  private readonly acks: UacAckCache;
  private readonly cancelListeners = new Map<InviteServerTransaction, CancelListener>();
  private readonly ongoing = new Map<string, ServerTransaction>();
  private readonly outgoing: OutgoingRequestContext;

  constructor(private readonly options: UserAgentCoreOptions) {
    this.logger = (options.logger ?? silentLogger).child({ layer: 'sip-ua' });
    this.timers = options.timers ?? systemTimers;
    this.handler = options.onRequest;
    this.supported = options.supported ?? ['100rel', 'timer'];
    this.layer = new TransactionLayer({
      transport: options.transport,
      user: this,
      timerValues: options.timerValues,
      timers: this.timers,
      logger: options.logger,
    });
    this.acks = new UacAckCache(this.timers, 64 * this.layer.timerValues.T1, (ack, destination) =>
      this.transmit(ack, destination),
    );
    this.outgoing = {
      layer: this.layer,
      transport: options.transport,
      resolve: options.resolve,
      timers: this.timers,
      timerValues: this.layer.timerValues,
      logger: this.logger,
      absorb2xx: (response) => this.acks.absorb(response),
    };
  }

  get timerValues(): TimerValues {
    return this.layer.timerValues;
  }

  /** Sets (or replaces) the handler of new requests outside any dialog. */
  setRequestHandler(handler: RequestHandler | undefined): void {
    this.handler = handler;
  }

  /** Our Contact (RFC 3261 §8.1.1.8): a SIP URI reaching this UA directly. */
  contact(): NameAddr {
    if (this.contactAddress) return this.contactAddress;
    let uri = this.options.contact;
    for (const protocol of CONTACT_PROTOCOLS) {
      if (uri !== undefined) break;
      try {
        const { host, port } = this.options.transport.viaSentBy(protocol);
        const h = host.includes(':') ? `[${host}]` : host;
        uri = `sip:${h}:${port}${protocol === 'udp' ? '' : `;transport=${protocol}`}`;
      } catch {
        // no listener of this protocol: try the next
      }
    }
    if (uri === undefined)
      throw new DialogError('ERR_SIP_DIALOG_OPTIONS', 'no transport to build a Contact from');
    this.contactAddress = NameAddr.of(SipUri.parse(uri));
    return this.contactAddress;
  }

  /** Sends a request (our Via added per attempt); responses go to `user`. */
  sendRequest(request: SipRequest, user: OutgoingRequestUser, destination?: Destination): OutgoingRequest {
    const outgoing = new OutgoingRequest(this.outgoing, request, user, destination);
    outgoing.start();
    return outgoing;
  }

  /**
   * RFC 3261 §13.2.2.4: the ACK for a 2xx, built in the dialog with the INVITE's CSeq number
   * and credentials, sent outside any transaction and kept to answer the 2xx's retransmissions.
   */
  sendAck(dialog: Dialog, invite: SipRequest, body?: SessionBody): void {
    const ack = dialog.createRequest('ACK', {
      cseq: invite.cseq.seq,
      body: body?.body,
      contentType: body?.contentType,
    });
    // §13.2.2.4: "The ACK MUST contain the same credentials as the INVITE."
    for (const name of ['Authorization', 'Proxy-Authorization']) {
      for (const f of invite.headers.fieldsOf(name)) ack.headers.append(f.name, f.value);
    }
    this.options.resolve(nextHopOf(ack)).then(
      ([destination]) => {
        if (destination === undefined) return;
        ack.headers.set('Via', ourVia(this.options.transport, destination));
        this.acks.store(ack, destination);
        this.transmit(ack, destination);
      },
      (err: unknown) => this.logger.info({ err: String(err) }, 'ACK next hop not resolved'),
    );
  }

  /** Answers a request in its server transaction (RFC 3261 §8.2.6). */
  reply(transaction: ServerTransaction, status: number, options?: ResponseOptions): SipResponse {
    const response = createResponse(transaction.request, status, options);
    transaction.respond(response);
    return response;
  }

  /** Sends a 2xx to an INVITE and retransmits it until the ACK (RFC 3261 §13.3.1.4). */
  sendInvite2xx(transaction: InviteServerTransaction, response: SipResponse): void {
    const key = pendingKey(response.callId, response.to.tag, response.from.tag, response.cseq.seq);
    this.pending2xx.get(key)?.dispose();
    const context = {
      transport: this.options.transport,
      timers: this.timers,
      timerValues: this.timerValues,
      logger: this.logger,
    };
    const retransmission = new Uas2xxRetransmission(transaction, response, context, () => {
      this.pending2xx.delete(key);
      this.dialogFor(response.callId, response.to.tag, response.from.tag)?.user.onAckTimeout(response);
    });
    this.pending2xx.set(key, retransmission);
  }

  /** Registers who hears of a CANCEL of a pending INVITE (the core answers it, §9.2). */
  watchCancel(transaction: InviteServerTransaction, listener: CancelListener | undefined): void {
    if (listener === undefined) {
      this.cancelListeners.delete(transaction);
      return;
    }
    this.cancelListeners.set(transaction, listener);
    transaction.addStateChangeListener((state) => {
      if (state === TransactionState.Terminated) this.cancelListeners.delete(transaction);
    });
  }

  /** Routes the requests of a dialog (early or confirmed) to its user. */
  addDialog(dialog: Dialog, user: DialogUser): void {
    this.dialogs.set(dialog.key, { dialog, user });
  }

  /** Forgets a dialog; a 2xx of it still waiting for its ACK is no longer retransmitted. */
  removeDialog(dialog: Dialog): void {
    if (this.dialogs.get(dialog.key)?.dialog !== dialog) return;
    this.dialogs.delete(dialog.key);
    const prefix = `${dialog.key}\n`;
    for (const [key, retransmission] of this.pending2xx) {
      if (!key.startsWith(prefix)) continue;
      retransmission.dispose();
      this.pending2xx.delete(key);
    }
  }

  findDialog(key: string): Dialog | undefined {
    return this.dialogs.get(key)?.dialog;
  }

  stats(): {
    dialogs: number;
    pending2xx: number;
    acks: number;
    clientTransactions: number;
    serverTransactions: number;
  } {
    return {
      dialogs: this.dialogs.size,
      pending2xx: this.pending2xx.size,
      acks: this.acks.size,
      ...this.layer.stats(),
    };
  }

  /** Stops every timer; the tables are emptied (shutdown). */
  dispose(): void {
    for (const r of this.pending2xx.values()) r.dispose();
    this.pending2xx.clear();
    this.acks.dispose();
    this.dialogs.clear();
    this.cancelListeners.clear();
    this.ongoing.clear();
    this.layer.dispose();
  }

  // ---- TransactionUser ----

  onRequest(request: SipRequest, transaction: ServerTransaction, flow: Flow): void {
    // RFC 3261 §8.2.2.3: an option tag in Require we do not understand gets a 420 listing it.
    const unsupported = optionTags(request, 'Require').filter((t) => !this.supported.includes(t));
    if (unsupported.length > 0) {
      this.reply(transaction, 420, { headers: [['Unsupported', unsupported.join(', ')]] });
      return;
    }
    if (request.to.tag !== undefined) {
      this.inDialog(request, transaction);
      return;
    }
    if (this.options.mergedRequestDetection !== false && this.isMerged(request, transaction)) {
      // RFC 3261 §8.2.2.2: From tag, Call-ID and CSeq of an ongoing transaction it does not match.
      this.reply(transaction, 482);
      return;
    }
    if (this.handler === undefined) {
      this.reply(transaction, 480);
      return;
    }
    this.handler(request, transaction, flow);
  }

  onCancel(
    cancel: SipRequest,
    transaction: NonInviteServerTransaction,
    target: InviteServerTransaction | undefined,
  ): void {
    if (target === undefined) {
      // RFC 3261 §9.2: "If the UAS did not find a matching transaction for the CANCEL
      // according to the procedure above, it SHOULD respond to the CANCEL with a 481".
      this.reply(transaction, 481);
      return;
    }
    // §9.2: the CANCEL itself is answered 200 whatever the INVITE's state.
    this.reply(transaction, 200);
    if (target.state !== TransactionState.Proceeding) return;
    const listener = this.cancelListeners.get(target);
    this.cancelListeners.delete(target);
    // §9.2: "the UAS SHOULD immediately respond to the INVITE with a 487 (Request Terminated)."
    this.reply(target, 487, { toTag: listener?.toTag });
    listener?.onCancelled(cancel);
  }

  onAck(ack: SipRequest): void {
    const key = pendingKey(ack.callId, ack.to.tag, ack.from.tag, ack.cseq.seq);
    const retransmission = this.pending2xx.get(key);
    if (retransmission === undefined) return; // a retransmitted ACK, or one for no dialog of ours
    this.pending2xx.delete(key);
    retransmission.acknowledge();
    this.dialogFor(ack.callId, ack.to.tag, ack.from.tag)?.user.onAck(ack);
  }

  onStrayResponse(response: SipResponse): void {
    // RFC 3261 §13.2.2.4: a retransmitted 2xx after its transaction ended still gets the ACK.
    if (response.status >= 200 && response.status < 300 && response.cseq.method === 'INVITE') {
      if (this.acks.resend(response)) return;
    }
    this.logger.debug({ status: response.status, method: response.cseq.method }, 'stray response dropped');
  }

  onTransportError(error: TransportError, transaction: ServerTransaction): void {
    this.logger.info({ code: error.code, method: transaction.method }, 'response not sent');
  }

  onTimeout(transaction: ServerTransaction): void {
    this.logger.debug({ method: transaction.method }, 'no ACK for a final response (Timer H)');
  }

  private inDialog(request: SipRequest, transaction: ServerTransaction): void {
    const entry = this.dialogFor(request.callId, request.to.tag, request.from.tag);
    if (entry === undefined) {
      // RFC 3261 §12.2.2: a request with a To tag matching no dialog is answered 481.
      this.reply(transaction, 481);
      return;
    }
    try {
      entry.dialog.receiveRequest(request);
    } catch (err) {
      if (!(err instanceof DialogRequestError)) throw err;
      this.reply(transaction, err.status, { reason: err.reason });
      return;
    }
    entry.user.onDialogRequest(request, transaction);
  }

  private dialogFor(callId: string, localTag: string | undefined, remoteTag: string | undefined) {
    return this.dialogs.get(dialogKey({ callId, localTag: localTag ?? '', remoteTag: remoteTag ?? '' }));
  }

  private isMerged(request: SipRequest, transaction: ServerTransaction): boolean {
    const key = `${request.from.tag ?? ''}\n${request.callId}\n${request.cseq.seq} ${request.cseq.method}`;
    const existing = this.ongoing.get(key);
    if (existing !== undefined && existing !== transaction) return true;
    this.ongoing.set(key, transaction);
    transaction.addStateChangeListener((state) => {
      if (state === TransactionState.Terminated && this.ongoing.get(key) === transaction) {
        this.ongoing.delete(key);
      }
    });
    return false;
  }

  private transmit(message: SipRequest, destination: Destination): void {
    this.options.transport.send(message, destination).catch((err: unknown) => {
      this.logger.info({ err: String(err), method: message.method }, 'ACK not sent');
    });
  }
}
