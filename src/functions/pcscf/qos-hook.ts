/**
 * The seam for Rx (TS 29.214, TS 24.229 §5.2.7.4 / TS 29.213): the P-CSCF tells a policy hook
 * what SDP offers and answers it sees in a session and when the session ends, so that a PCRF
 * client can ask for (AAR) and release (STR) QoS. No hook configured: nothing is called.
 * DEVIATION: no Rx client exists yet (`rx.enabled: true` is refused: PCRF issue).
 */

/** Which side of the P-CSCF the session was set up from. */
export type SessionDirection = 'originating' | 'terminating';

export type QosSessionEvent =
  | {
      /** An SDP offer (in an INVITE) or answer (in a 18x or 2xx to it). */
      type: 'offer' | 'answer';
      direction: SessionDirection;
      callId: string;
      /** The public user identity the P-CSCF serves in this session. */
      servedIdentity?: string;
      sdp: string;
      /** The status of the response carrying an answer. */
      status?: number;
    }
  | {
      /** BYE, CANCEL or a final failure to the INVITE: the session (or attempt) is over. */
      type: 'terminated';
      direction: SessionDirection;
      callId: string;
      reason: 'bye' | 'failure';
    };

export interface QosPolicyHook {
  onSessionEvent(event: QosSessionEvent): void | Promise<void>;
}
