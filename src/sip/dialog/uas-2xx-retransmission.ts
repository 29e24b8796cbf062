import type { Logger } from '../../log/logger.ts';
import type { SipResponse } from '../message/index.ts';
import type {
  InviteServerTransaction,
  TimerHandle,
  TimerService,
  TimerValues,
} from '../transaction/index.ts';
import type { TransportLayer } from '../transport/types.ts';
import { DialogError } from './errors.ts';

export enum Uas2xxState {
  /** The 2xx is out; retransmissions run until the ACK. */
  WaitingAck = 'waiting-ack',
  Acknowledged = 'acknowledged',
  /** 64*T1 passed without an ACK. */
  TimedOut = 'timed-out',
  Disposed = 'disposed',
}

const { WaitingAck, Acknowledged, TimedOut, Disposed } = Uas2xxState;

export interface Uas2xxContext {
  transport: Pick<TransportLayer, 'sendResponse'>;
  timers: TimerService;
  timerValues: TimerValues;
  logger: Logger;
}

/**
 * The UAS core's reliability for a 2xx to an INVITE, RFC 3261 §13.3.1.4: the transaction sends
 * the 2xx once (RFC 6026 §7.1) and the core retransmits it, T1 doubling up to T2, until the
 * ACK arrives; with no ACK after 64*T1 the dialog is to be ended (`onTimeout`).
 */
export class Uas2xxRetransmission {
  private current: Uas2xxState = WaitingAck;
  /**
   * RFC 3261 §13.3.1.4: "passed to the transport with an interval that starts at T1 seconds
   * and doubles for each retransmission until it reaches T2 seconds" (Timer G's pattern).
   */
  private timerG: TimerHandle | undefined;
  private interval: number;
  /** RFC 3261 §13.3.1.4: "If the server retransmits the 2xx response for 64*T1 seconds without receiving an ACK" (Timer H's value). */
  private timerH: TimerHandle | undefined;

  constructor(
    private readonly transaction: InviteServerTransaction,
    readonly response: SipResponse,
    private readonly context: Uas2xxContext,
    private readonly onTimeout: (response: SipResponse) => void,
  ) {
    const { T1 } = context.timerValues;
    this.interval = T1;
    transaction.respond(response);
    this.timerG = context.timers.setTimeout(() => this.timerGFired(), T1);
    this.timerH = context.timers.setTimeout(() => this.timerHFired(), 64 * T1);
  }

  get state(): Uas2xxState {
    return this.current;
  }

  /** RFC 3261 §13.3.1.4: "Response retransmissions cease when an ACK request for the response is received." */
  acknowledge(): void {
    if (this.current === WaitingAck) this.stateTransition(Acknowledged);
  }

  dispose(): void {
    if (this.current === WaitingAck) this.stateTransition(Disposed);
  }

  private stateTransition(to: Uas2xxState): void {
    if (this.current !== WaitingAck || to === WaitingAck) {
      throw new DialogError('ERR_SIP_DIALOG_STATE', `2xx retransmission: ${this.current} -> ${to}`);
    }
    this.current = to;
    if (this.timerG !== undefined) this.context.timers.clearTimeout(this.timerG);
    if (this.timerH !== undefined) this.context.timers.clearTimeout(this.timerH);
    this.timerG = this.timerH = undefined;
  }

  private timerGFired(): void {
    this.timerG = undefined;
    if (this.current !== WaitingAck) return;
    // RFC 6026 §7.1: while "Accepted" the transaction passes the TU's retransmissions on; after
    // Timer L it is gone and the core sends along the request's flow itself (§18.2.2).
    if (!this.transaction.respond(this.response)) {
      this.context.transport.sendResponse(this.response, this.transaction.flow).catch((err: unknown) => {
        this.context.logger.debug({ err: String(err) }, '2xx retransmission not sent');
      });
    }
    this.interval = Math.min(2 * this.interval, this.context.timerValues.T2);
    this.timerG = this.context.timers.setTimeout(() => this.timerGFired(), this.interval);
  }

  private timerHFired(): void {
    this.timerH = undefined;
    if (this.current !== WaitingAck) return;
    this.stateTransition(TimedOut);
    // RFC 3261 §13.3.1.4: "the dialog is confirmed, but the session SHOULD be terminated.
    // This is accomplished with a BYE".
    this.onTimeout(this.response);
  }
}
