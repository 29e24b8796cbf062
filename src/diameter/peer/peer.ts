import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { type Logger, silentLogger } from '../../log/logger.ts';
import { type DiameterHeader, isRequest, readHeader } from '../codec/header.ts';
import type { AvpValues, DiameterMessage } from '../codec/message.ts';
import { decodeMessage } from '../codec/message-decoder.ts';
import type { Dictionary } from '../dictionary/dictionary.ts';
import { DiameterError, DiameterPeerError, NoCommonApplicationError } from '../errors.ts';
import { ResultCode } from '../result-code.ts';
import type { IdentifierSource } from '../routing/identifiers.ts';
import { BaseMessages, CER, DPR, DWR } from './base-messages.ts';
import { advertisedApplicationIds, commonApplications, type LocalIdentity } from './capabilities.ts';
import { NamedTimer } from './named-timer.ts';
import { PeerConnection } from './peer-connection.ts';
import { isOpen, PEER_TRANSITIONS, PeerState } from './peer-state.ts';
import { Watchdog } from './watchdog.ts';

/** RFC 6733 §5.4.3 Disconnect-Cause values. */
export const DisconnectCause = { REBOOTING: 0, BUSY: 1, DO_NOT_WANT_TO_TALK_TO_YOU: 2 } as const;

export interface PeerOptions {
  /** The Diameter identity (Origin-Host) the peer must present. */
  host: string;
  /** Where to connect; absent for a peer that only connects to us. */
  connect?: () => Promise<Socket>;
  local: LocalIdentity;
  dictionary: Dictionary;
  ids: IdentifierSource;
  logger?: Logger;
  /** Tw init, ms (RFC 3539). */
  twInit?: number;
  /** Reconnection backoff: first delay and the ceiling Tc (RFC 6733 §2.1 suggests Tc = 30 s). */
  tcMin?: number;
  tc?: number;
  /** Timeout of connect, CEA and DPA waits (the "Timeout" event of RFC 6733 §5.6), ms. */
  timeout?: number;
  maxMessageLength?: number;
}

export interface PeerEvents {
  state: [state: PeerState];
  /** Whether requests may be routed to this peer changed (open + watchdog OKAY). */
  availability: [usable: boolean];
  /** An application message (not CER/DWR/DPR and their answers). */
  message: [bytes: Buffer, header: DiameterHeader];
}

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
  /** Message counters (for status pages and tests). */
  readonly counters = { dwrSent: 0, dwrReceived: 0, dwaReceived: 0, dprReceived: 0, received: 0 };
  private stateValue = PeerState.Closed;
  private initiator: PeerConnection | undefined;
  private responder: PeerConnection | undefined;
  private pendingCer: DiameterMessage | undefined;
  private readonly watchdog: Watchdog;
  private readonly messages: BaseMessages;
  private readonly log: Logger;
  private wanted = false;
  private failures = 0;
  /** RFC 6733 §2.1 Tc: reconnection, with exponential backoff up to Tc. */
  private readonly tc = new NamedTimer('Tc');
  /** RFC 6733 §5.6 "Timeout" of the Wait-* and Closing states. */
  private readonly stateTimer = new NamedTimer('Timeout');
  private lastUsable = false;
  private closedWaiters: (() => void)[] = [];
  private remoteDisconnectCause: number | undefined;

  constructor(private readonly options: PeerOptions) {
    super();
    this.host = options.host;
    this.log = (options.logger ?? silentLogger).child({ peer: options.host });
    this.messages = new BaseMessages(options.local, options.dictionary, options.ids);
    this.watchdog = new Watchdog(
      {
        sendWatchdog: () => {
          this.counters.dwrSent++;
          this.sendBase(DWR, { originStateId: this.options.local.originStateId });
        },
        failover: () => this.updateAvailability(),
        failback: () => this.updateAvailability(),
        closeConnection: () => {
          this.log.warn('watchdog: peer down, closing the connection');
          this.active()?.destroy();
        },
      },
      { twInit: options.twInit },
    );
  }

  get state(): PeerState {
    return this.stateValue;
  }

  /** Open, and the watchdog says OKAY: requests may go here. */
  get usable(): boolean {
    return isOpen(this.stateValue) && this.watchdog.usable;
  }

  get watchdogState(): string {
    return this.watchdog.state;
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
      this.sendBase(DPR, { disconnectCause: cause });
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
    this.watchdog.dispose();
  }

  /** Sends an application message; throws DiameterPeerError when the peer is not open. */
  send(bytes: Buffer): void {
    const conn = this.active();
    if (!isOpen(this.stateValue) || !conn?.send(bytes)) {
      throw new DiameterPeerError(`peer ${this.host} is not open (${this.stateValue})`);
    }
  }

  /**
   * R-Conn-CER: the node accepted a connection whose CER names this peer.
   * RFC 6733 §5.6: accepted in Closed, Wait-Conn-Ack and Wait-I-CEA; rejected otherwise.
   */
  acceptConnection(conn: PeerConnection, cer: DiameterMessage): void {
    switch (this.stateValue) {
      case PeerState.Closed:
        if (!this.processCer(conn, cer)) return;
        this.responder = this.watchConnection(conn, 'responder');
        this.sendCea(conn, cer, ResultCode.DIAMETER_SUCCESS);
        this.toOpen(PeerState.ROpen);
        return;
      case PeerState.WaitConnAck:
        if (!this.processCer(conn, cer)) return;
        this.responder = this.watchConnection(conn, 'responder');
        this.pendingCer = cer;
        this.transition(PeerState.WaitConnAckElect);
        return;
      case PeerState.WaitICEA:
        if (!this.processCer(conn, cer)) return;
        this.responder = this.watchConnection(conn, 'responder');
        this.pendingCer = cer;
        this.transition(PeerState.WaitReturns);
        this.elect();
        return;
      default:
        // R-Reject
        this.log.info({ state: this.stateValue }, 'rejecting a second connection from the peer');
        conn.close();
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
    this.initiator = this.watchConnection(conn, 'initiator');
    this.sendCer(conn);
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
      this.initiator?.close();
      this.initiator = undefined;
      this.acceptResponder();
    } else {
      this.armTimeout(() => this.toClosed('election timeout'));
    }
  }

  /** R-Snd-CEA on the held responder, then R-Open. */
  private acceptResponder(): void {
    const conn = this.responder!;
    this.sendCea(conn, this.pendingCer!, ResultCode.DIAMETER_SUCCESS);
    this.pendingCer = undefined;
    this.toOpen(PeerState.ROpen);
  }

  /** Process-CER: application check; answers 5010 and closes on failure. */
  private processCer(conn: PeerConnection, cer: DiameterMessage): boolean {
    const local = this.options.local.applications.map((a) => a.id);
    const common = commonApplications(local, advertisedApplicationIds(cer.avps));
    if (common.length === 0) {
      this.lastError = new NoCommonApplicationError(`CER from ${this.host}: no application in common`);
      this.log.warn('CER: no common application');
      this.sendCea(conn, cer, ResultCode.DIAMETER_NO_COMMON_APPLICATION);
      conn.close();
      return false;
    }
    this.applications = common;
    this.realm = cer.avps.originRealm as string;
    return true;
  }

  private watchConnection(conn: PeerConnection, role: 'initiator' | 'responder'): PeerConnection {
    conn.on('message', (bytes) => this.onMessage(conn, bytes));
    conn.on('close', (err) => this.onDisconnect(conn, role, err));
    return conn;
  }

  private onDisconnect(conn: PeerConnection, role: 'initiator' | 'responder', err: Error | undefined): void {
    if (role === 'initiator' && this.initiator !== conn) return;
    if (role === 'responder' && this.responder !== conn) return;
    this.log.debug({ role, state: this.stateValue, err: err?.message }, 'peer disconnected');
    if (role === 'initiator') this.initiator = undefined;
    else this.responder = undefined;
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
    try {
      header = readHeader(bytes);
    } catch (err) {
      this.log.warn({ err }, 'bad message header; closing');
      conn.destroy();
      return;
    }
    const request = isRequest(header);
    const code = header.commandCode;
    if (conn === this.initiator && !request && code === CER && this.isWaitingForCea()) {
      this.onCea(conn, bytes);
      return;
    }
    if (conn !== this.active() || (!isOpen(this.stateValue) && this.stateValue !== PeerState.Closing)) {
      if (this.stateValue === PeerState.WaitICEA && conn === this.initiator)
        this.toClosed('message before CEA');
      return;
    }
    this.counters.received++;
    if (!request && code === DWR) {
      this.counters.dwaReceived++;
      this.watchdog.receivedDwa();
    } else {
      this.watchdog.receivedOther();
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
      if (isRequest(header) && err instanceof DiameterError) this.answerBase(conn, header, err.resultCode);
      return;
    }
    if (!isRequest(header)) {
      // R-Rcv-DPA / I-Rcv-DPA in Closing: disconnect.
      if (header.commandCode === DPR && this.stateValue === PeerState.Closing) this.toClosed('DPA received');
      return;
    }
    if (header.commandCode === DWR) {
      this.counters.dwrReceived++;
      this.answerBase(conn, header, ResultCode.DIAMETER_SUCCESS, {
        originStateId: this.options.local.originStateId,
      });
    } else if (header.commandCode === DPR) {
      // RFC 6733 §5.4: answer, then the DPR sender closes the transport; Closing until it does.
      this.counters.dprReceived++;
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

  private isWaitingForCea(): boolean {
    return this.stateValue === PeerState.WaitICEA || this.stateValue === PeerState.WaitReturns;
  }

  /** Process-CEA: I-Open on success; otherwise close (no common application, refused, ...). */
  private onCea(conn: PeerConnection, bytes: Buffer): void {
    let cea: DiameterMessage;
    try {
      cea = decodeMessage(bytes, this.options.dictionary);
    } catch (err) {
      this.log.warn({ err }, 'unreadable CEA');
      this.toClosed('bad CEA');
      return;
    }
    const resultCode = cea.avps.resultCode as number;
    const local = this.options.local.applications.map((a) => a.id);
    const common = commonApplications(local, advertisedApplicationIds(cea.avps));
    if (
      resultCode !== ResultCode.DIAMETER_SUCCESS ||
      common.length === 0 ||
      cea.avps.originHost !== this.host
    ) {
      this.lastError =
        resultCode === ResultCode.DIAMETER_NO_COMMON_APPLICATION ||
        (resultCode === ResultCode.DIAMETER_SUCCESS && common.length === 0)
          ? new NoCommonApplicationError(`CEA from ${this.host}: no application in common`)
          : new DiameterPeerError(
              `CEA from ${String(cea.avps.originHost)}: Result-Code ${resultCode}`,
              resultCode,
            );
      this.log.warn({ resultCode, originHost: cea.avps.originHost, common }, 'capabilities exchange failed');
      this.toClosed(`CEA ${resultCode}`);
      return;
    }
    this.applications = common;
    this.realm = cea.avps.originRealm as string;
    if (this.stateValue === PeerState.WaitReturns) {
      this.responder?.close();
      this.responder = undefined;
      this.pendingCer = undefined;
    }
    this.initiator = conn;
    this.toOpen(PeerState.IOpen);
  }

  private toOpen(state: PeerState.ROpen | PeerState.IOpen): void {
    this.stateTimer.clear();
    this.transition(state);
    this.failures = 0;
    this.lastError = undefined;
    this.remoteDisconnectCause = undefined;
    this.watchdog.connectionUp();
    this.log.info({ state, applications: this.applications }, 'peer open');
    this.updateAvailability();
  }

  private toClosed(reason: string): void {
    this.stateTimer.clear();
    for (const c of [this.initiator, this.responder]) c?.close(500);
    this.initiator = undefined;
    this.responder = undefined;
    this.pendingCer = undefined;
    const wasOpen = this.stateValue !== PeerState.Closed;
    if (wasOpen) this.transition(PeerState.Closed);
    this.watchdog.connectionDown();
    this.log.info({ reason }, 'peer closed');
    this.updateAvailability();
    for (const w of this.closedWaiters.splice(0)) w();
    if (this.wanted && this.options.connect) this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    this.tc.clear();
    const tc = this.options.tc ?? 30_000;
    const tcMin = this.options.tcMin ?? 1000;
    // RFC 6733 §5.4.3: after DPR with BUSY or DO_NOT_WANT_TO_TALK_TO_YOU, do not hurry back.
    const polite =
      this.remoteDisconnectCause !== undefined && this.remoteDisconnectCause !== DisconnectCause.REBOOTING;
    const delay = polite ? tc : Math.min(tc, tcMin * 2 ** this.failures) * (0.75 + Math.random() * 0.25);
    this.failures++;
    this.tc.set(delay, () => {
      if (this.wanted && this.stateValue === PeerState.Closed) this.connectInitiator();
    });
  }

  private updateAvailability(): void {
    const usable = this.usable;
    if (usable !== this.lastUsable) {
      this.lastUsable = usable;
      this.emit('availability', usable);
    }
  }

  private active(): PeerConnection | undefined {
    if (this.stateValue === PeerState.ROpen) return this.responder;
    if (this.stateValue === PeerState.IOpen) return this.initiator;
    if (this.stateValue === PeerState.Closing) return this.initiator ?? this.responder;
    return undefined;
  }

  private sendCer(conn: PeerConnection): void {
    conn.send(this.messages.cer(conn.localAddress));
  }

  private sendCea(conn: PeerConnection, cer: DiameterMessage, resultCode: number): void {
    conn.send(this.messages.cea(cer, resultCode, conn.localAddress));
  }

  private sendBase(commandCode: number, extra: AvpValues): void {
    this.active()?.send(this.messages.request(commandCode, extra));
  }

  private answerBase(
    conn: PeerConnection,
    request: DiameterHeader,
    resultCode: number,
    extra?: AvpValues,
  ): void {
    conn.send(this.messages.answer(request, resultCode, extra));
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
