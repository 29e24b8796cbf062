import type { SipRequest, SipResponse } from '../message/index.ts';
import type { Flow, TransportError } from '../transport/types.ts';
import type { ClientTransaction } from './client-transaction.ts';
import type { InviteServerTransaction } from './invite-server-transaction.ts';
import type { NonInviteServerTransaction } from './non-invite-server-transaction.ts';
import type { ServerTransaction } from './server-transaction.ts';

/** What a client transaction reports to the transaction user that created it (RFC 3261 §17.1). */
export interface ClientTransactionUser {
  /**
   * A response for the TU: provisional, the final one, and (RFC 6026 §7.2) every further 2xx
   * to an INVITE. Retransmissions absorbed by the transaction never arrive here.
   */
  onResponse(response: SipResponse, transaction: ClientTransaction): void;
  /** RFC 3261 §17.1.1.2 Timer B, §17.1.2.2 Timer F: no final response in time (the TU answers 408). */
  onTimeout(transaction: ClientTransaction): void;
  /** RFC 3261 §17.1.4: the request (or ACK) could not be sent; the transaction is terminated. */
  onTransportError(error: TransportError, transaction: ClientTransaction): void;
}

/** What a server transaction reports to its transaction user (RFC 3261 §17.2). */
export interface ServerTransactionUser {
  /**
   * RFC 3261 §17.2.4: a response could not be sent. The transaction is terminated, except in
   * the Accepted state (RFC 6026 Figure 5), where it stays to absorb retransmitted INVITEs.
   */
  onTransportError(error: TransportError, transaction: ServerTransaction): void;
  /** RFC 3261 §17.2.1 Timer H: the ACK for a non-2xx final response never came. */
  onTimeout(transaction: ServerTransaction): void;
  /**
   * An ACK for a 2xx. RFC 6026 §7.1: one matching an INVITE server transaction in the Accepted
   * state comes with that transaction; one matching none (RFC 3261 §17.2.3: the ACK for a 2xx
   * has its own branch) comes without, for the UAS core or a proxy to forward (§16.11).
   */
  onAck(ack: SipRequest, flow: Flow, transaction?: InviteServerTransaction): void;
}

/**
 * The transaction user of a TransactionLayer (RFC 3261 §17: "TU"): the UA core or the proxy
 * core above it. It receives new requests with their server transactions, the messages that
 * belong to no transaction, and by default the reports of every server transaction.
 */
export interface TransactionUser extends ServerTransactionUser {
  /** A new request (neither ACK nor CANCEL) and the server transaction created for it. */
  onRequest(request: SipRequest, transaction: ServerTransaction, flow: Flow): void;
  /**
   * A CANCEL (RFC 3261 §9.2) in its own non-INVITE server transaction, with the INVITE server
   * transaction it matches, if any: the TU answers the CANCEL, then 487 to the INVITE.
   */
  onCancel(
    cancel: SipRequest,
    transaction: NonInviteServerTransaction,
    target: InviteServerTransaction | undefined,
    flow: Flow,
  ): void;
  /**
   * RFC 3261 §17.1.3: a response matching no client transaction. A proxy forwards a stray 2xx
   * to INVITE statelessly (§16.7, RFC 6026 §7.3); other stray responses are for the TU to drop.
   */
  onStrayResponse(response: SipResponse, flow: Flow): void;
}
