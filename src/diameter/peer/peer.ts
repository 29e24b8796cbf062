import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { type Logger, silentLogger } from '../../log/logger.ts';
import { type DiameterHeader, isRequest, readHeader } from '../codec/header.ts';
import type { DiameterMessage } from '../codec/message.ts';
import { decodeMessage } from '../codec/message-decoder.ts';
import { DiameterDecodeError, DiameterError, DiameterPeerError } from '../errors.ts';
import { ResultCode } from '../result-code.ts';
import { BaseMessages, CER, DisconnectCause, DPR, DWR } from './base-messages.ts';
import { processCea, processCer } from './capabilities-exchange.ts';
import { NamedTimer } from './named-timer.ts';
import { PeerConnection } from './peer-connection.ts';
import { type LinkRole, PeerLinks } from './peer-links.ts';
import { type PeerCounters, PeerLiveness } from './peer-liveness.ts';
import type { PeerEvents, PeerOptions } from './peer-options.ts';
import { isOpen, PEER_TRANSITIONS, PeerState } from './peer-state.ts';
import { ReconnectTimer } from './reconnect-timer.ts';

export { DisconnectCause } from './base-messages.ts';
export type { PeerEvents, PeerOptions } from './peer-options.ts';

/**
 * One peer (RFC 6733 §5.6 state machine with election, §5.5 watchdog per RFC 3539, §5.4 DPR).
 * Application messages flow only in R-Open/I-Open. Reconnection after a failure is driven by Tc
 * with exponential backoff (RFC 3539's AttemptOpen()).
 */
export class Peer extends EventEmitter<PeerEvents> {
  readonly host: string;
  /** Applications in common after the capabilities exchange. */
  applications: number[] = [];
  /** The peer's realm as it announced in CER/CEA. */
  realm: string | undefined;
  /** Why the last capabilities exchange failed, if it did (NoCommonApplicationError for 5010). */
  lastError: DiameterError | undefined;
  private stateValue = PeerState.Closed;
  private readonly links: PeerLinks;
  private pendingCer: DiameterMessage | undefined;
  private readonly liveness: PeerLiveness;
  private readonly messages: BaseMessages;
  private readonly log: Logger;
  private wanted = false;
  /** RFC 6733 §2.1 Tc: reconnection, with exponential backoff up to Tc. */
  private readonly tc: ReconnectTimer;
  /** RFC 6733 §5.6 "Timeout" of the Wait-* and Closing states. */
  private readonly stateTimer = new NamedTimer('Timeout');
  private closedWaiters: (() => void)[] = [];
  private remoteDisconnectCause: number | undefined;

  constructor(private readonly options: PeerOptions) {
    super();
    this.host = options.host;
    this.log = (options.logger ?? silentLogger).child({ peer: options.host });
    this.messages = new BaseMessages(options.local, options.dictionary, options.ids);
    this.tc = new ReconnectTimer({ tc: options.tc, tcMin: options.tcMin });
    this.links = new PeerLinks({
      onMessage: (conn, bytes) => this.onMessage(conn, bytes),
      onClose: (_conn, role, err) => this.onDisconnect(role, err),
    });
    this.liveness = new PeerLiveness(
      {
        send: (bytes) => this.links.active(this.stateValue)?.send(bytes) ?? false,
        isOpen: () => isOpen(this.stateValue),
        availability: (usable) => this.emit('availability', usable),
        closeConnection: () => {
          this.log.warn('watchdog: peer down, closing the connection');
          this.links.active(this.stateValue)?.destroy();
        },
      },
      this.messages,
      options.local.originStateId,
      options.twInit,
    );
  }

  get state(): PeerState {
    return this.stateValue;
  }

  /** Open, and the watchdog says OKAY: requests may go here. */
  get usable(): boolean {
    return this.liveness.usable;
  }

  get watchdogState(): string {
    return this.liveness.state;
  }

  /** Message counters (for status pages and tests). */
  get counters(): Readonly<PeerCounters> {
    return this.liveness.counters;
  }

  /** Start event: connect (and keep reconnecting after failures) until stop(). */
  start(): void {
    this.wanted = true;
    if (this.stateValue === PeerState.Closed && this.options.connect) this.connectInitiator();
  }

  /** Stop event: DPR when open (RFC 6733 §5.4), then close. Resolves once Closed. */
  stop(cause: number = DisconnectCause.REBOOTING): Promise<void> {
    this.wanted = false;
    this.tc.clear();
    if (this.stateValue === PeerState.Closed) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.closedWaiters.push(resolve));
    if (isOpen(this.stateValue)) {
      this.links.active(this.stateValue)?.send(this.messages.request(DPR, { disconnectCause: cause }));
      this.transition(PeerState.Closing);
      this.armTimeout(() => this.toClosed('DPA timeout'));
    } else if (this.stateValue !== PeerState.Closing) {
      this.toClosed('stopped');
    }
    return done;
  }

  /** Drops everything at once (no DPR). */
  dispose(): void {
    this.wanted = false;
    this.tc.clear();
    if (this.stateValue !== PeerState.Closed) this.toClosed('disposed');
    this.liveness.dispose();
  }

  /** Sends an application message; throws DiameterPeerError when the peer is not open. */
  send(bytes: Buffer): void {
    const conn = this.links.active(this.stateValue);
    if (!isOpen(this.stateValue) || !conn?.send(bytes)) {
      throw new DiameterPeerError(`peer ${this.host} is not open (${this.stateValue})`);
    }
  }

  /**
   * R-Conn-CER: the node accepted a connection whose CER names this peer.
   * RFC 6733 §5.6: accepted in Closed, Wait-Conn-Ack and Wait-I-CEA; rejected otherwise.
   */
  acceptConnection(conn: PeerConnection, cer: DiameterMessage): void {
    const state = this.stateValue;
    if (state !== PeerState.Closed && state !== PeerState.WaitConnAck && state !== PeerState.WaitICEA) {
      // R-Reject
      this.log.info({ state }, 'rejecting a second connection from the peer');
      conn.close();
      return;
    }
    if (!this.processCer(conn, cer)) return;
    this.links.attach(conn, 'responder');
    if (state === PeerState.Closed) {
      // R-Accept, Process-CER, R-Snd-CEA
      this.sendCea(conn, cer, ResultCode.DIAMETER_SUCCESS);
      this.toOpen(PeerState.ROpen);
      return;
    }
    // R-Accept, Process-CER; in Wait-I-CEA also Elect
    this.pendingCer = cer;
    if (state === PeerState.WaitConnAck) {
      this.transition(PeerState.WaitConnAckElect);
    } else {
      this.transition(PeerState.WaitReturns);
      this.elect();
    }
  }

  private connectInitiator(): void {
    const connect = this.options.connect!;
    this.transition(PeerState.WaitConnAck);
    this.armTimeout(() => this.toClosed('connect timeout'));
    connect().then(
      (socket) => this.onConnAck(socket),
      (err: unknown) => this.onConnNack(err),
    );
  }

  private onConnAck(socket: Socket): void {
    const conn = new PeerConnection(socket, this.options.maxMessageLength);
    if (this.stateValue !== PeerState.WaitConnAck && this.stateValue !== PeerState.WaitConnAckElect) {
      conn.destroy();
      return;
    }
    this.links.attach(conn, 'initiator');
    conn.send(this.messages.cer(conn.localAddress));
    if (this.stateValue === PeerState.WaitConnAck) {
      this.transition(PeerState.WaitICEA);
      this.armTimeout(() => this.toClosed('CEA timeout'));
    } else {
      this.transition(PeerState.WaitReturns);
      this.elect();
    }
  }

  private onConnNack(err: unknown): void {
    this.log.debug({ err }, 'connection attempt failed');
    if (this.stateValue === PeerState.WaitConnAck) this.toClosed('connect failed');
    else if (this.stateValue === PeerState.WaitConnAckElect) this.acceptResponder();
  }

  /** RFC 6733 §5.6.4: the responder side with the higher Origin-Host wins and keeps its responder. */
  private elect(): void {
    const remote = this.pendingCer?.avps.originHost as string;
    const win = Buffer.compare(Buffer.from(this.options.local.originHost), Buffer.from(remote)) > 0;
    this.log.debug({ win }, 'election');
    if (win) {
      this.links.drop('initiator');
      this.acceptResponder();
    } else {
      this.armTimeout(() => this.toClosed('election timeout'));
    }
  }

  /** R-Snd-CEA on the held responder, then R-Open. */
  private acceptResponder(): void {
    const conn = this.links.responder!;
    this.sendCea(conn, this.pendingCer!, ResultCode.DIAMETER_SUCCESS);
    this.pendingCer = undefined;
    this.toOpen(PeerState.ROpen);
  }

  /** Process-CER: application check; answers 5010 and closes on failure. */
  private processCer(conn: PeerConnection, cer: DiameterMessage): boolean {
    const outcome = processCer(this.options.local, this.host, cer);
    if (!outcome.ok) {
      this.lastError = outcome.error;
      this.log.warn('CER: no common application');
      this.sendCea(conn, cer, outcome.error.resultCode);
      conn.close();
      return false;
    }
    this.applications = outcome.applications;
    this.realm = outcome.realm;
    return true;
  }

  /** A current connection closed (PeerLinks has already forgotten it). */
  private onDisconnect(role: LinkRole, err: Error | undefined): void {
    this.log.debug({ role, state: this.stateValue, err: err?.message }, 'peer disconnected');
    switch (this.stateValue) {
      case PeerState.WaitReturns:
        if (role === 'initiator') this.acceptResponder();
        else this.transition(PeerState.WaitICEA);
        return;
      case PeerState.WaitConnAckElect:
        if (role === 'responder') {
          this.pendingCer = undefined;
          this.transition(PeerState.WaitConnAck);
        }
        return;
      default:
        if (this.stateValue !== PeerState.Closed)
          this.toClosed(err ? `disconnected: ${err.message}` : 'disconnected');
    }
  }

  private onMessage(conn: PeerConnection, bytes: Buffer): void {
    let header: DiameterHeader;
    let refused: DiameterDecodeError | undefined;
    try {
      header = readHeader(bytes);
    } catch (err) {
      // The framer checked the length: what is left is the version (5011) or the header bits
      // (3008), both answerable since the whole header was read.
      if (!(err instanceof DiameterDecodeError) || !err.header) {
        this.log.warn({ err }, 'unreadable message header; closing');
        conn.destroy();
        return;
      }
      if (err.resultCode === ResultCode.DIAMETER_UNSUPPORTED_VERSION) {
        // RFC 6733 §7.1.5: answer a request 5011; the connection then closes (PeerConnection).
        this.log.warn({ version: err.header.version }, 'message of an unsupported version; closing');
        if (isRequest(err.header)) this.sendErrorAnswer(conn, bytes, err.header, err);
        return;
      }
      header = err.header;
      refused = err;
    }
    const request = isRequest(header);
    const code = header.commandCode;
    const waitingForCea = this.stateValue === PeerState.WaitICEA || this.stateValue === PeerState.WaitReturns;
    if (conn === this.links.initiator && !request && code === CER && waitingForCea) {
      this.onCea(bytes);
      return;
    }
    if (
      conn !== this.links.active(this.stateValue) ||
      (!isOpen(this.stateValue) && this.stateValue !== PeerState.Closing)
    ) {
      if (this.stateValue === PeerState.WaitICEA && conn === this.links.initiator)
        this.toClosed('message before CEA');
      return;
    }
    this.liveness.received(header);
    if (refused) {
      // RFC 6733 §7.1.3 DIAMETER_INVALID_HDR_BITS (e.g. a request with the E bit, §3): a protocol
      // error answered hop by hop with the §7.2 answer-message; the stream is intact, so the
      // connection stays. An answer with bad bits has no one to answer to: dropped.
      this.log.info({ err: refused.message, commandCode: code }, 'message refused: bad header bits');
      if (request) this.sendErrorAnswer(conn, bytes, header, refused);
      return;
    }
    if (header.applicationId === 0 && (code === DWR || code === DPR || code === CER)) {
      this.onBaseMessage(conn, bytes, header);
      return;
    }
    if (this.stateValue === PeerState.Closing) return;
    this.emit('message', bytes, header);
  }

  private onBaseMessage(conn: PeerConnection, bytes: Buffer, header: DiameterHeader): void {
    let msg: DiameterMessage;
    try {
      msg = decodeMessage(bytes, this.options.dictionary);
    } catch (err) {
      // RFC 6733 §7.1.3-7.1.5: a broken DWR/DPR/CER is answered with the error (Failed-AVP included).
      if (isRequest(header) && err instanceof DiameterError) this.sendErrorAnswer(conn, bytes, header, err);
      return;
    }
    if (!isRequest(header)) {
      // R-Rcv-DPA / I-Rcv-DPA in Closing: disconnect.
      if (header.commandCode === DPR && this.stateValue === PeerState.Closing)
        this.toClosed('DPA received', true);
      return;
    }
    if (header.commandCode === DWR) {
      this.liveness.answerDwr(conn, header);
    } else if (header.commandCode === DPR) {
      // RFC 6733 §5.4: answer, then the DPR sender closes the transport; Closing until it does.
      this.liveness.counters.dprReceived++;
      this.remoteDisconnectCause = msg.avps.disconnectCause as number;
      this.answerBase(conn, header, ResultCode.DIAMETER_SUCCESS);
      if (this.stateValue !== PeerState.Closing) {
        this.transition(PeerState.Closing);
        this.armTimeout(() => this.toClosed('peer did not close after DPA'));
      }
    } else if (header.commandCode === CER) {
      this.sendCea(conn, msg, ResultCode.DIAMETER_SUCCESS);
    }
  }

  /** Process-CEA: I-Open on success; otherwise close (no common application, refused, ...). */
  private onCea(bytes: Buffer): void {
    let cea: DiameterMessage;
    try {
      cea = decodeMessage(bytes, this.options.dictionary);
    } catch (err) {
      this.log.warn({ err }, 'unreadable CEA');
      this.toClosed('bad CEA');
      return;
    }
    const outcome = processCea(this.options.local, this.host, cea);
    if (!outcome.ok) {
      const resultCode = cea.avps.resultCode as number;
      this.lastError = outcome.error;
      this.log.warn({ resultCode, originHost: cea.avps.originHost }, 'capabilities exchange failed');
      this.toClosed(`CEA ${resultCode}`);
      return;
    }
    this.applications = outcome.applications;
    this.realm = outcome.realm;
    if (this.stateValue === PeerState.WaitReturns) {
      this.links.drop('responder');
      this.pendingCer = undefined;
    }
    this.toOpen(PeerState.IOpen);
  }

  private toOpen(state: PeerState.ROpen | PeerState.IOpen): void {
    this.stateTimer.clear();
    this.transition(state);
    this.tc.reset();
    this.lastError = undefined;
    this.remoteDisconnectCause = undefined;
    this.liveness.connectionUp();
    this.log.info({ state, applications: this.applications }, 'peer open');
    this.liveness.checkAvailability();
  }

  /** `orderly`: after our DPR was answered (RFC 6733 §5.4), not a failure. */
  private toClosed(reason: string, orderly = false): void {
    this.stateTimer.clear();
    this.links.dropAll(500);
    this.pendingCer = undefined;
    const wasOpen = this.stateValue !== PeerState.Closed;
    if (wasOpen) this.transition(PeerState.Closed);
    // A DPR either way (RFC 6733 §5.4): the peer left on purpose.
    this.liveness.connectionDown(orderly || this.remoteDisconnectCause !== undefined);
    this.log.info({ reason }, 'peer closed');
    this.liveness.checkAvailability();
    for (const w of this.closedWaiters.splice(0)) w();
    if (this.wanted && this.options.connect) this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    // RFC 6733 §5.4.3: after DPR with BUSY or DO_NOT_WANT_TO_TALK_TO_YOU, do not hurry back.
    const polite =
      this.remoteDisconnectCause !== undefined && this.remoteDisconnectCause !== DisconnectCause.REBOOTING;
    this.tc.schedule(polite, () => {
      if (this.wanted && this.stateValue === PeerState.Closed) this.connectInitiator();
    });
  }

  private sendCea(conn: PeerConnection, cer: DiameterMessage, resultCode: number): void {
    conn.send(this.messages.cea(cer, resultCode, conn.localAddress));
  }

  private sendErrorAnswer(
    conn: PeerConnection,
    bytes: Buffer,
    request: DiameterHeader,
    err: DiameterError,
  ): void {
    const answer = this.messages.errorAnswer(bytes, request, err, conn.localAddress);
    if (answer) conn.send(answer);
    else this.log.warn({ err: err.message }, 'no error answer could be encoded');
  }

  private answerBase(conn: PeerConnection, request: DiameterHeader, resultCode: number): void {
    conn.send(this.messages.answer(request, resultCode));
  }

  private armTimeout(onTimeout: () => void): void {
    this.stateTimer.set(this.options.timeout ?? 10_000, onTimeout);
  }

  /** The one checked transition (RFC 6733 §5.6 table). */
  private transition(to: PeerState): void {
    if (!PEER_TRANSITIONS[this.stateValue].includes(to)) {
      throw new Error(`peer ${this.host}: no transition ${this.stateValue} → ${to}`);
    }
    this.log.debug({ from: this.stateValue, to }, 'peer state');
    this.stateValue = to;
    this.emit('state', to);
  }
}
