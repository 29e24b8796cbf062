import { BRANCH_MAGIC_COOKIE, type SipRequest, type SipResponse } from '../message/index.ts';
import { type Destination, type Flow, isReliable, type TransportError } from '../transport/types.ts';
import { TransactionError } from './errors.ts';
import { Transaction, type TransactionContext } from './transaction.ts';
import { TransactionState } from './transaction-state.ts';
import type { ClientTransactionUser } from './transaction-user.ts';

/** The user of a transaction that has nothing more to tell its TU. */
const NOBODY: ClientTransactionUser = { onResponse() {}, onTimeout() {}, onTransportError() {} };

/**
 * What the INVITE and non-INVITE client transactions share (RFC 3261 §17.1): the destination,
 * the flow learnt from the first send, and the handling of transport failures (§17.1.4).
 */
export abstract class ClientTransaction extends Transaction {
  readonly role = 'client';
  private sentOn: Flow | undefined;
  /** RFC 3261 §17.1.1.2, §17.1.2.2: retransmission timers run only over unreliable transports. */
  protected reliable: boolean;

  constructor(
    request: SipRequest,
    /** Where the request goes: the next hop resolved by the TU (RFC 3263 done above). */
    readonly destination: Destination,
    public user: ClientTransactionUser,
    initialState: TransactionState,
    context: TransactionContext,
  ) {
    const branch = request.topVia.branch;
    // RFC 3261 §8.1.1.7: the branch ID inserted by an element compliant with this
    // specification MUST always begin with the characters "z9hG4bK".
    if (
      branch === undefined ||
      !branch.startsWith(BRANCH_MAGIC_COOKIE) ||
      branch.length <= BRANCH_MAGIC_COOKIE.length
    ) {
      throw new TransactionError(
        'ERR_SIP_TRANSACTION_BRANCH',
        'the top Via of a request sent in a client transaction needs a z9hG4bK branch',
      );
    }
    super(request, branch, initialState, context);
    this.reliable = isReliable(destination.protocol);
  }

  /** The flow the request went out on, once the transport has sent it. */
  get flow(): Flow | undefined {
    return this.sentOn;
  }

  /** A response the layer matched to this transaction (RFC 3261 §17.1.3). */
  abstract receiveResponse(response: SipResponse): void;

  /** Called when the request turned out to go over a reliable transport: stop retransmitting. */
  protected abstract onReliableFlow(): void;

  /**
   * RFC 3261 §17.1.1.3: the ACK goes to the address, port and transport the request was sent
   * to; retransmissions too. The transport may have moved a large request to TCP (§18.1.1).
   */
  protected get sentTo(): Destination {
    const flow = this.flow;
    if (flow === undefined || flow.protocol === this.destination.protocol) return this.destination;
    return { ...this.destination, protocol: flow.protocol };
  }

  /**
   * For a state that lasts only to absorb response retransmissions (Completed, Accepted over
   * UDP): keep the request's essentials. `letGoOfUser`: nothing more goes to the TU (non-INVITE
   * Completed, §17.1.2.2), so the transaction stops holding it (a proxy's response context).
   */
  protected keepEssentials(letGoOfUser: boolean): void {
    if (this.reliable) return;
    this.keepRequestEssentials();
    if (letGoOfUser) this.user = NOBODY;
  }

  /** Hands a message to the transport; a rejection becomes a transport failure (§17.1.4). */
  protected transmit(message: SipRequest, first = false): void {
    let sent: Promise<Flow>;
    try {
      sent = this.transport.send(message, first ? this.destination : this.sentTo);
    } catch (err) {
      sent = Promise.reject(err);
    }
    sent.then(
      (flow) => {
        if (first) this.onRequestSent(flow);
      },
      (err: unknown) => this.onTransportFailure(Transaction.asTransportError(err)),
    );
  }

  private onRequestSent(flow: Flow): void {
    this.sentOn = flow;
    if (!this.reliable && isReliable(flow.protocol) && this.state !== TransactionState.Terminated) {
      this.reliable = true;
      this.onReliableFlow();
    }
  }

  private onTransportFailure(error: TransportError): void {
    // RFC 6026 §7.2: nothing is sent in Accepted; a late failure of an earlier send changes nothing.
    if (this.state === TransactionState.Terminated || this.state === TransactionState.Accepted) return;
    this.logger.warn({ tx: this.id, method: this.method, err: error }, 'client transaction transport error');
    // RFC 3261 §17.1.4: the client transaction SHOULD inform the TU that a transport failure
    // has occurred, and SHOULD transition directly to the "Terminated" state.
    this.failure = 'transport-error';
    this.notifyUser('onTransportError', () => this.user.onTransportError(error, this));
    this.terminate();
  }

  /** RFC 3261 §17.1.1.2, §17.1.2.2: the transaction timed out (Timer B or F). */
  protected timeout(): void {
    this.failure = 'timeout';
    this.notifyUser('onTimeout', () => this.user.onTimeout(this));
    this.terminate();
  }

  protected passToUser(response: SipResponse): void {
    this.notifyUser('onResponse', () => this.user.onResponse(response, this));
  }
}
