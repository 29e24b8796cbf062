import type { SipRequest, SipResponse } from '../message/index.ts';
import type { Destination } from '../transport/types.ts';
import { ClientTransaction } from './client-transaction.ts';
import { TransactionError } from './errors.ts';
import { createNon2xxAck } from './non-2xx-ack.ts';
import type { TimerHandle } from './timers.ts';
import type { TransactionContext } from './transaction.ts';
import { TransactionState } from './transaction-state.ts';
import type { ClientTransactionUser } from './transaction-user.ts';

const { Calling, Proceeding, Completed, Accepted, Terminated } = TransactionState;

/**
 * INVITE client transaction: RFC 3261 §17.1.1, Figure 5, as updated by RFC 6026 §7.2
 * (Accepted state, Timer M).
 */
export class InviteClientTransaction extends ClientTransaction {
  /** RFC 3261 §17.1.1.2: INVITE retransmission interval, T1 doubling, unreliable transports only. */
  private timerA: TimerHandle | undefined;
  private timerAInterval: number;
  /** RFC 3261 §17.1.1.2: INVITE transaction timeout, 64*T1. */
  private timerB: TimerHandle | undefined;
  /** RFC 3261 §17.1.1.2: wait time for response retransmissions, >= 32 s unreliable, 0 reliable. */
  private timerD: TimerHandle | undefined;
  /** RFC 6026 §7.2: wait time for retransmitted 2xx, 64*T1. */
  private timerM: TimerHandle | undefined;
  /** The ACK for the non-2xx final response, kept to answer its retransmissions. */
  private ack: SipRequest | undefined;

  constructor(
    request: SipRequest,
    destination: Destination,
    user: ClientTransactionUser,
    context: TransactionContext,
  ) {
    if (request.method !== 'INVITE') {
      throw new TransactionError('ERR_SIP_TRANSACTION_METHOD', `not an INVITE: ${request.method}`);
    }
    super(request, destination, user, Calling, context);
    const { T1 } = this.timerValues;
    this.timerAInterval = T1;
    // RFC 3261 §17.1.1.2: The initial state, "calling", MUST be entered when the TU initiates a
    // new client transaction with an INVITE request. The client transaction MUST pass the
    // request to the transport layer for transmission.
    this.transmit(request, true);
    // RFC 3261 §17.1.1.2: If an unreliable transport is being used, the client transaction
    // MUST start timer A with a value of T1.
    if (!this.reliable) this.timerA = this.startTimer('A', T1, () => this.timerAFired());
    // RFC 3261 §17.1.1.2: For any transport, the client transaction MUST start timer B with a
    // value of 64*T1 seconds.
    this.timerB = this.startTimer('B', 64 * T1, () => this.timerBFired());
  }

  dispose(): void {
    this.timerA = this.stopTimer(this.timerA);
    this.timerB = this.stopTimer(this.timerB);
    this.timerD = this.stopTimer(this.timerD);
    this.timerM = this.stopTimer(this.timerM);
  }

  receiveResponse(response: SipResponse): void {
    const status = response.status;
    switch (this.state) {
      case Calling:
      case Proceeding:
        if (status < 200) {
          // RFC 3261 §17.1.1.2: If the client transaction receives a provisional response while
          // in the "Calling" state, it transitions to the "Proceeding" state. [...] Furthermore,
          // the provisional response MUST be passed to the TU.
          if (this.state === Calling) this.stateTransition(Proceeding);
          this.passToUser(response);
        } else if (status < 300) {
          // RFC 6026 §7.2: a 2xx received in "Calling" or "Proceeding" MUST be passed to the TU,
          // and the transaction MUST transition to the "Accepted" state.
          this.recordFinal(status);
          this.stateTransition(Accepted);
          this.passToUser(response);
          this.keepEssentials(false);
        } else {
          // RFC 3261 §17.1.1.2: a final response of 300 to 699 received in "Calling" or
          // "Proceeding" MUST cause the client transaction to transition to "Completed", MUST
          // be passed up to the TU, and the client transaction MUST generate an ACK request.
          this.recordFinal(status);
          this.stateTransition(Completed);
          this.ack = createNon2xxAck(this.request, response);
          this.transmit(this.ack);
          this.passToUser(response);
          this.keepEssentials(false);
        }
        return;
      case Completed:
        // RFC 3261 §17.1.1.2: Any retransmissions of the final response that are received while
        // in the "Completed" state MUST cause the ACK to be re-passed to the transport layer for
        // retransmission, but the newly received response MUST NOT be passed up to the TU.
        if (status >= 300 && this.ack !== undefined) this.transmit(this.ack);
        return;
      case Accepted:
        // RFC 6026 §7.2: Any 2xx responses that match this client transaction and that are
        // received while in the "Accepted" state MUST be passed up to the TU. The client
        // transaction MUST NOT generate an ACK to the 2xx response.
        if (status >= 200 && status < 300) this.passToUser(response);
        return;
      default:
        return;
    }
  }

  protected stateTransition(to: TransactionState): void {
    switch (to) {
      case Proceeding:
        this.checkTransition(to, [Calling]);
        // RFC 3261 §17.1.1.2: once in "Proceeding", the client transaction SHOULD NOT
        // retransmit the request any longer; Timer B only matters while "Calling".
        this.timerA = this.stopTimer(this.timerA);
        this.timerB = this.stopTimer(this.timerB);
        break;
      case Completed:
        this.checkTransition(to, [Calling, Proceeding]);
        this.timerA = this.stopTimer(this.timerA);
        this.timerB = this.stopTimer(this.timerB);
        // RFC 3261 §17.1.1.2: The client transaction SHOULD start timer D when it enters the
        // "Completed" state, with a value of at least 32 seconds for unreliable transports,
        // and a value of zero seconds for reliable transports.
        // (64*T1 when T1 is raised: the server retransmits its response for Timer H = 64*T1.)
        this.timerD = this.startTimer(
          'D',
          this.reliable ? 0 : Math.max(32_000, 64 * this.timerValues.T1),
          () => this.timerDFired(),
        );
        break;
      case Accepted:
        this.checkTransition(to, [Calling, Proceeding]);
        this.timerA = this.stopTimer(this.timerA);
        this.timerB = this.stopTimer(this.timerB);
        // RFC 6026 §7.2: on a 2xx the client transaction MUST transition to the "Accepted"
        // state and start Timer M with the value of 64*T1.
        this.timerM = this.startTimer('M', 64 * this.timerValues.T1, () => this.timerMFired());
        break;
      case Terminated:
        this.checkTransition(to, [Calling, Proceeding, Completed, Accepted]);
        break;
      default:
        this.checkTransition(to, []);
    }
    this.enterState(to);
  }

  protected onReliableFlow(): void {
    this.timerA = this.stopTimer(this.timerA);
  }

  /**
   * RFC 3261 §17.1.1.2: When timer A fires, the client transaction MUST retransmit the request
   * by passing it to the transport layer, and MUST reset the timer with a value of 2*T1.
   */
  private timerAFired(): void {
    this.timerA = undefined;
    if (this.state !== Calling) return;
    this.transmit(this.request);
    this.timerAInterval *= 2;
    this.timerA = this.startTimer('A', this.timerAInterval, () => this.timerAFired());
  }

  /**
   * RFC 3261 §17.1.1.2: If the client transaction is still in the "Calling" state when timer B
   * fires, the client transaction SHOULD inform the TU that a timeout has occurred.
   */
  private timerBFired(): void {
    this.timerB = undefined;
    if (this.state === Calling) this.timeout();
  }

  /** RFC 3261 §17.1.1.2: If timer D fires while in "Completed", MUST move to "Terminated". */
  private timerDFired(): void {
    this.timerD = undefined;
    if (this.state === Completed) this.stateTransition(Terminated);
  }

  /** RFC 6026 §7.2: If Timer M fires while in "Accepted", MUST transition to "Terminated". */
  private timerMFired(): void {
    this.timerM = undefined;
    if (this.state === Accepted) this.stateTransition(Terminated);
  }
}
