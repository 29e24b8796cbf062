import { createResponse, type SipRequest, type SipResponse } from '../message/index.ts';
import type { Flow, TransportError } from '../transport/types.ts';
import { TransactionError } from './errors.ts';
import { ServerTransaction } from './server-transaction.ts';
import type { TimerHandle } from './timers.ts';
import type { TransactionContext } from './transaction.ts';
import { TransactionState } from './transaction-state.ts';
import type { ServerTransactionUser } from './transaction-user.ts';

const { Proceeding, Completed, Confirmed, Accepted, Terminated } = TransactionState;

/** RFC 3261 §17.2.1: the TU has 200 ms to answer before the transaction sends 100 (Trying). */
const TRYING_DELAY = 200;

/**
 * INVITE server transaction: RFC 3261 §17.2.1, Figure 7, as updated by RFC 6026 §7.1
 * (Accepted state, Timer L).
 */
export class InviteServerTransaction extends ServerTransaction {
  /** RFC 3261 §17.2.1 (unnamed there): 200 ms for the TU before the 100 (Trying). */
  private timerTrying: TimerHandle | undefined;
  /** RFC 3261 §17.2.1: INVITE response retransmit interval, T1 doubling up to T2, unreliable only. */
  private timerG: TimerHandle | undefined;
  private timerGInterval: number;
  /** RFC 3261 §17.2.1: wait time for ACK receipt, 64*T1. */
  private timerH: TimerHandle | undefined;
  /** RFC 3261 §17.2.1: wait time for ACK retransmits, T4 unreliable, 0 reliable. */
  private timerI: TimerHandle | undefined;
  /** RFC 6026 §7.1: wait time for accepted INVITE request retransmits, 64*T1. */
  private timerL: TimerHandle | undefined;
  /** The most recent provisional response: what a retransmitted INVITE gets in "Proceeding". */
  private lastProvisional: SipResponse | undefined;

  constructor(
    request: SipRequest,
    flow: Flow,
    user: ServerTransactionUser,
    context: TransactionContext,
    id?: string,
  ) {
    if (request.method !== 'INVITE') {
      throw new TransactionError('ERR_SIP_TRANSACTION_METHOD', `not an INVITE: ${request.method}`);
    }
    super(request, flow, user, Proceeding, context, id);
    this.timerGInterval = this.timerValues.T1;
    // RFC 3261 §17.2.1: When a server transaction is constructed for a request, it enters the
    // "Proceeding" state. The server transaction MUST generate a 100 (Trying) response unless
    // it knows that the TU will generate a provisional or final response within 200 ms.
    this.timerTrying = this.startTimer('Trying', TRYING_DELAY, () => this.timerTryingFired());
  }

  dispose(): void {
    this.timerTrying = this.stopTimer(this.timerTrying);
    this.timerG = this.stopTimer(this.timerG);
    this.timerH = this.stopTimer(this.timerH);
    this.timerI = this.stopTimer(this.timerI);
    this.timerL = this.stopTimer(this.timerL);
  }

  respond(response: SipResponse): boolean {
    this.checkStatus(response);
    const status = response.status;
    if (this.state === Proceeding) {
      this.timerTrying = this.stopTimer(this.timerTrying);
      this.lastResponse = response;
      if (status < 200) {
        // RFC 3261 §17.2.1: The TU passes any number of provisional responses to the server
        // transaction. So long as the server transaction is in the "Proceeding" state, each of
        // these MUST be passed to the transport layer for transmission.
        this.lastProvisional = response;
      } else {
        this.recordFinal(status);
        // RFC 6026 §7.1: If, while in the "Proceeding" state, the TU passes a 2xx response to
        // the server transaction, the server transaction MUST pass this response to the
        // transport layer for transmission and MUST then transition to the "Accepted" state.
        // RFC 3261 §17.2.1: a 300-699 response moves the machine to the "Completed" state.
        this.stateTransition(status < 300 ? Accepted : Completed);
      }
      this.transmit(response);
      if (status >= 200) {
        this.lastProvisional = undefined;
        this.keepEssentials();
      }
      return true;
    }
    if (this.state === Accepted && status >= 200 && status < 300) {
      // RFC 6026 §7.1: The server transaction MUST NOT generate 2xx retransmissions on its own.
      // Any retransmission of the 2xx response passed from the TU to the transaction while in
      // the "Accepted" state MUST be passed to the transport layer for transmission.
      this.transmit(response);
      return true;
    }
    this.logger.debug(
      { tx: this.id, state: this.state, status },
      'response discarded by INVITE server transaction',
    );
    return false;
  }

  receiveRequest(request: SipRequest, flow: Flow): void {
    if (request.method === 'ACK') {
      this.receiveAck(request, flow);
      return;
    }
    switch (this.state) {
      case Proceeding:
        // RFC 3261 §17.2.1: If a request retransmission is received while in the "Proceeding"
        // state, the most recent provisional response that was received from the TU MUST be
        // passed to the transport layer for retransmission.
        if (this.lastProvisional !== undefined) this.transmit(this.lastProvisional);
        return;
      case Completed:
        // RFC 3261 §17.2.1: while in the "Completed" state, if a request retransmission is
        // received, the server SHOULD pass the response to the transport for retransmission.
        if (this.lastResponse !== undefined) this.transmit(this.lastResponse);
        return;
      default:
        // RFC 6026 §7.1: Any retransmissions of the INVITE received while in the "Accepted"
        // state MUST be absorbed without being passed to the TU; so too in "Confirmed".
        return;
    }
  }

  private receiveAck(ack: SipRequest, flow: Flow): void {
    switch (this.state) {
      case Completed:
        // RFC 3261 §17.2.1: If an ACK is received while the server transaction is in the
        // "Completed" state, the server transaction MUST transition to the "Confirmed" state.
        this.stateTransition(Confirmed);
        return;
      case Accepted:
        // RFC 6026 §7.1: an ACK received while in the "Accepted" state MUST be passed to the TU.
        this.notifyUser('onAck', () => this.user.onAck(ack, flow, this));
        return;
      default:
        // RFC 3261 §17.2.1: The purpose of the "Confirmed" state is to absorb any additional
        // ACK messages that arrive. (An ACK before any final response belongs to nothing.)
        return;
    }
  }

  protected stateTransition(to: TransactionState): void {
    const { T1, T2, T4 } = this.timerValues;
    switch (to) {
      case Completed:
        this.checkTransition(to, [Proceeding]);
        // RFC 3261 §17.2.1: For unreliable transports, timer G is set to fire in T1 seconds,
        // and is not set to fire for reliable transports. [...] timer H MUST be set to fire in
        // 64*T1 seconds for all transports.
        if (!this.reliable) this.timerG = this.startTimer('G', T1, () => this.timerGFired());
        this.timerH = this.startTimer('H', 64 * T1, () => this.timerHFired());
        this.timerGInterval = Math.min(2 * T1, T2);
        break;
      case Confirmed:
        this.checkTransition(to, [Completed]);
        // RFC 3261 §17.2.1: As Timer G is ignored in this state, any retransmissions of the
        // response will cease.
        this.timerG = this.stopTimer(this.timerG);
        this.timerH = this.stopTimer(this.timerH);
        // RFC 3261 §17.2.1: The server transaction remains in this state until Timer I fires,
        // at which point it MUST transition to the "Terminated" state. Timer I is T4 for
        // unreliable transports and zero seconds for reliable transports.
        this.timerI = this.startTimer('I', this.reliable ? 0 : T4, () => this.timerIFired());
        break;
      case Accepted:
        this.checkTransition(to, [Proceeding]);
        // RFC 6026 §7.1: on entering the "Accepted" state, Timer L MUST be set to fire in 64*T1.
        this.timerL = this.startTimer('L', 64 * T1, () => this.timerLFired());
        break;
      case Terminated:
        this.checkTransition(to, [Proceeding, Completed, Confirmed, Accepted]);
        break;
      default:
        this.checkTransition(to, []);
    }
    this.enterState(to);
  }

  protected onTransportFailure(error: TransportError): void {
    switch (this.state) {
      case Proceeding:
      case Completed:
        // RFC 3261 §17.2.4: the server transaction SHOULD inform the TU that a failure has
        // occurred, and SHOULD transition to the terminated state.
        this.failOnTransportError(error);
        return;
      case Accepted:
        // RFC 6026 Figure 5: in "Accepted" a transport error is reported to the TU and the
        // transaction stays, so retransmitted INVITEs keep being absorbed until Timer L.
        this.notifyUser('onTransportError', () => this.user.onTransportError(error, this));
        return;
      default:
        // Confirmed: the ACK came, a late failure of a retransmission changes nothing.
        return;
    }
  }

  private timerTryingFired(): void {
    this.timerTrying = undefined;
    if (this.state !== Proceeding || this.lastResponse !== undefined) return;
    // RFC 3261 §8.2.6: built from the request; §8.2.6.1: the Timestamp copied into a 100.
    const trying = createResponse(this.request, 100);
    this.lastResponse = trying;
    this.lastProvisional = trying;
    this.transmit(trying);
  }

  /**
   * RFC 3261 §17.2.1: If timer G fires, the response is passed to the transport layer once more
   * for retransmission, and timer G is set to fire in MIN(2*T1, T2) seconds. From then on, when
   * timer G fires, [...] timer G is reset with a value that doubles, unless that value exceeds
   * T2, in which case it is reset with the value of T2.
   */
  private timerGFired(): void {
    this.timerG = undefined;
    if (this.state !== Completed || this.lastResponse === undefined) return;
    this.transmit(this.lastResponse);
    const interval = this.timerGInterval;
    this.timerGInterval = Math.min(2 * interval, this.timerValues.T2);
    this.timerG = this.startTimer('G', interval, () => this.timerGFired());
  }

  /**
   * RFC 3261 §17.2.1: If timer H fires while in the "Completed" state, it implies that the ACK
   * was never received. In this case, the server transaction MUST transition to the
   * "Terminated" state, and MUST indicate to the TU that a transaction failure has occurred.
   */
  private timerHFired(): void {
    this.timerH = undefined;
    if (this.state !== Completed) return;
    this.failure = 'timeout';
    this.notifyUser('onTimeout', () => this.user.onTimeout(this));
    this.terminate();
  }

  private timerIFired(): void {
    this.timerI = undefined;
    if (this.state === Confirmed) this.stateTransition(Terminated);
  }

  /** RFC 6026 §7.1: If Timer L fires while in "Accepted", MUST transition to "Terminated". */
  private timerLFired(): void {
    this.timerL = undefined;
    if (this.state === Accepted) this.stateTransition(Terminated);
  }
}
