import type { Logger } from '../../log/logger.ts';
import type { SipRequest, SipResponse } from '../message/index.ts';
import type { ServerTransaction, TimerHandle, TimerService, TimerValues } from '../transaction/index.ts';
import { DialogError } from './errors.ts';
import type { RAck } from './extension-headers.ts';

export enum ReliableProvisionalState {
  /** Sent, retransmitted until the PRACK. */
  Unacknowledged = 'unacknowledged',
  Acknowledged = 'acknowledged',
  /** 64*T1 without a PRACK. */
  TimedOut = 'timed-out',
  /** A final response went out first, or the session ended. */
  Stopped = 'stopped',
}

const { Unacknowledged, Acknowledged, TimedOut, Stopped } = ReliableProvisionalState;

/**
 * One provisional response sent reliably by a UAS, RFC 3262 §3: passed to the INVITE server
 * transaction again at T1, 2*T1, 4*T1 ... until the PRACK matching its RSeq arrives; after
 * 64*T1 without one the UAS rejects the INVITE (`onTimeout`).
 */
export class ReliableProvisional {
  private current: ReliableProvisionalState = Unacknowledged;
  /** RFC 3262 §3: retransmission interval, "starts at T1 seconds and doubles for each retransmission". */
  private timerRetransmit: TimerHandle | undefined;
  private interval: number;
  /** RFC 3262 §3: "retransmitted for 64*T1 seconds without reception of a corresponding PRACK". */
  private timerGiveUp: TimerHandle | undefined;
  private settle: (prack: SipRequest | undefined) => void = () => {};
  /** Resolves with the PRACK, or undefined when it never came. */
  readonly acknowledged: Promise<SipRequest | undefined>;

  constructor(
    private readonly transaction: ServerTransaction,
    readonly response: SipResponse,
    readonly rseq: number,
    private readonly context: { timers: TimerService; timerValues: TimerValues; logger: Logger },
    private readonly onTimeout: () => void,
  ) {
    this.acknowledged = new Promise((resolve) => {
      this.settle = resolve;
    });
    const { T1 } = context.timerValues;
    this.interval = T1;
    transaction.respond(response);
    this.timerRetransmit = context.timers.setTimeout(() => this.retransmitFired(), T1);
    this.timerGiveUp = context.timers.setTimeout(() => this.giveUpFired(), 64 * T1);
  }

  get state(): ReliableProvisionalState {
    return this.current;
  }

  /** Whether a body (offer or answer) rode on it: the 2xx then waits for its PRACK (§3). */
  get hasBody(): boolean {
    return this.response.body.length > 0;
  }

  /** RFC 3262 §3: the PRACK matches when RAck names this RSeq and the INVITE's CSeq. */
  matches(rack: RAck): boolean {
    const { seq, method } = this.transaction.request.cseq;
    return rack.rseq === this.rseq && rack.cseq === seq && rack.method === method;
  }

  acknowledge(prack: SipRequest): void {
    if (this.current !== Unacknowledged) return;
    this.stateTransition(Acknowledged);
    this.settle(prack);
  }

  /** Stops retransmitting (a final response was sent, or the session ended). */
  stop(): void {
    if (this.current !== Unacknowledged) return;
    this.stateTransition(Stopped);
    this.settle(undefined);
  }

  dispose(): void {
    this.stop();
  }

  private stateTransition(to: ReliableProvisionalState): void {
    if (this.current !== Unacknowledged || to === Unacknowledged) {
      throw new DialogError('ERR_SIP_DIALOG_STATE', `reliable provisional: ${this.current} -> ${to}`);
    }
    this.current = to;
    if (this.timerRetransmit !== undefined) this.context.timers.clearTimeout(this.timerRetransmit);
    if (this.timerGiveUp !== undefined) this.context.timers.clearTimeout(this.timerGiveUp);
    this.timerRetransmit = this.timerGiveUp = undefined;
  }

  private retransmitFired(): void {
    this.timerRetransmit = undefined;
    if (this.current !== Unacknowledged) return;
    // RFC 3262 §3: "The reliable provisional response is passed to the transaction layer
    // periodically with an interval that starts at T1 seconds and doubles for each retransmission."
    if (!this.transaction.respond(this.response)) {
      this.stop();
      return;
    }
    this.interval *= 2;
    this.timerRetransmit = this.context.timers.setTimeout(() => this.retransmitFired(), this.interval);
  }

  private giveUpFired(): void {
    this.timerGiveUp = undefined;
    if (this.current !== Unacknowledged) return;
    this.context.logger.info({ rseq: this.rseq }, 'no PRACK for a reliable provisional response');
    this.stateTransition(TimedOut);
    this.settle(undefined);
    // RFC 3262 §3: "the UAS SHOULD reject the original request with a 5xx response".
    this.onTimeout();
  }
}
