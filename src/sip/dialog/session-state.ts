import type { SipResponse } from '../message/index.ts';

/** Where an INVITE session stands (RFC 3261 §12-§15). */
export enum SessionState {
  /** UAC: the INVITE is out, no dialog yet. */
  Calling = 'calling',
  /** UAS: the INVITE arrived, no response with a To tag sent yet. */
  Incoming = 'incoming',
  /** An early dialog exists (a 1xx with a To tag). */
  Early = 'early',
  /** The 2xx is sent (UAS, waiting for the ACK) or received (UAC, ACK not sent yet). */
  Accepted = 'accepted',
  Confirmed = 'confirmed',
  Terminated = 'terminated',
}

/** Why a session ended. */
export interface TerminationCause {
  reason:
    | 'rejected'
    | 'cancelled'
    | 'local-bye'
    | 'remote-bye'
    | 'no-ack'
    | 'session-expired'
    | 'dialog-gone'
    | 'disposed';
  /** The final response that ended it, when one did. */
  response?: SipResponse;
}
