import { SentResponse, type SipRequest, type SipResponse } from '../message/index.ts';
import { type Flow, isReliable, type TransportError } from '../transport/types.ts';
import { TransactionError } from './errors.ts';
import { Transaction, type TransactionContext } from './transaction.ts';
import type { TransactionState } from './transaction-state.ts';
import type { ServerTransactionUser } from './transaction-user.ts';

/**
 * What the INVITE and non-INVITE server transactions share (RFC 3261 §17.2): the flow the
 * request came over, the last response sent, and sending responses back along it (§18.2.2).
 */
export abstract class ServerTransaction extends Transaction {
  readonly role = 'server';
  /** The last response passed to the transport: what a retransmitted request is answered with. */
  protected lastResponse: SipResponse | undefined;
  /** RFC 3261 §17.2.1, §17.2.2: retransmission timers run only over unreliable transports. */
  protected readonly reliable: boolean;

  constructor(
    request: SipRequest,
    /** The flow the request arrived on; responses go back through the transport along it. */
    readonly flow: Flow,
    /** Who hears of transport errors and timeouts; a TU may put itself here for one transaction. */
    public user: ServerTransactionUser,
    initialState: TransactionState,
    context: TransactionContext,
    /** The key the layer matched the request with; the top Via branch by default. */
    id: string = request.topVia.branch ?? '',
  ) {
    super(request, id, initialState, context);
    this.reliable = isReliable(flow.protocol);
  }

  /** The last response sent, if any. */
  get response(): SipResponse | undefined {
    return this.lastResponse;
  }

  /**
   * Sends a response of the TU (RFC 3261 §17.2). Returns false when the state machine
   * discards it (e.g. a second final response, §17.2.2), true when it went to the transport.
   * Transport failures are reported to `user.onTransportError` (§17.2.4).
   */
  abstract respond(response: SipResponse): boolean;

  /** A retransmission of the request, or an ACK for an INVITE, matched by the layer (§17.2.3). */
  abstract receiveRequest(request: SipRequest, flow: Flow): void;

  /** What the state machine does on a transport failure (§17.2.4, RFC 6026 Figure 5). */
  protected abstract onTransportFailure(error: TransportError): void;

  protected checkStatus(response: SipResponse): void {
    if (!Number.isInteger(response.status) || response.status < 100 || response.status > 699) {
      throw new TransactionError('ERR_SIP_TRANSACTION_STATUS', `bad response status ${response.status}`);
    }
  }

  /**
   * For a state that only absorbs retransmissions until a 64*T1 timer (Completed, Accepted,
   * Confirmed over UDP): keep the last response as the bytes sent and the request's essentials.
   */
  protected keepEssentials(): void {
    if (this.reliable) return;
    this.keepRequestEssentials();
    if (this.lastResponse !== undefined) this.lastResponse = SentResponse.of(this.lastResponse);
  }

  /** Hands a response to the transport; a rejection becomes a transport failure (§17.2.4). */
  protected transmit(response: SipResponse): void {
    let sent: Promise<Flow>;
    try {
      sent = this.transport.sendResponse(response, this.flow);
    } catch (err) {
      sent = Promise.reject(err);
    }
    sent.then(undefined, (err: unknown) => {
      const error = Transaction.asTransportError(err);
      this.logger.warn(
        { tx: this.id, method: this.method, err: error },
        'server transaction transport error',
      );
      this.onTransportFailure(error);
    });
  }

  /** RFC 3261 §17.2.4: inform the TU of the failure, and transition to the terminated state. */
  protected failOnTransportError(error: TransportError): void {
    this.failure = 'transport-error';
    this.notifyUser('onTransportError', () => this.user.onTransportError(error, this));
    this.terminate();
  }
}
