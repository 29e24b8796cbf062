import type { DiameterNode } from '../node.ts';
import { type AnswerBody, DiameterApplication, type Outgoing, type TypedHandler } from './application.ts';
import type {
  AaAnswer,
  AaRequest,
  AbortSessionAnswer,
  AbortSessionRequest,
  ReAuthAnswer,
  ReAuthRequest,
  SessionTerminationAnswer,
  SessionTerminationRequest,
} from './generated/rx-types.ts';

export * from './generated/rx-types.ts';

/** Rx application id (TS 29.214 §5.6). */
export const RX_APPLICATION_ID = 16777236;

type Auto = 'sessionId' | 'originHost' | 'originRealm' | 'destinationRealm' | 'authApplicationId';
export type RxRequest<T> = Outgoing<T, Auto>;
export type RxAnswer<T> = AnswerBody<T, Auto>;

/**
 * Rx (TS 29.214): the P-CSCF (AF) asks the PCRF for QoS (AAR), ends the session (STR); the PCRF
 * re-authorises (RAR) or aborts (ASR). Rx sessions are stateful: pass the AAR's Session-Id to the
 * STR of the same session (a new one is made when absent). Auth-Application-Id is filled (§5.6).
 */
export class RxApplication {
  private readonly app: DiameterApplication;

  constructor(node: DiameterNode) {
    const fill = { authApplicationId: RX_APPLICATION_ID };
    this.app = new DiameterApplication(
      node,
      { id: RX_APPLICATION_ID, vendorId: 10415, kind: 'auth' },
      { request: () => fill, answer: () => fill },
    );
  }

  /** A Session-Id for a new Rx session (RFC 6733 §8.8). */
  newSessionId(): string {
    return this.app.node.newSessionId();
  }

  /** TS 29.214 §5.6.1 AAR. */
  aa(req: RxRequest<AaRequest>): Promise<AaAnswer> {
    return this.app.send('AAR', req);
  }

  /** TS 29.214 §5.6.3 RAR (PCRF → AF). */
  reAuth(req: RxRequest<ReAuthRequest>): Promise<ReAuthAnswer> {
    return this.app.send('RAR', req);
  }

  /** TS 29.214 §5.6.5 STR. */
  sessionTermination(req: RxRequest<SessionTerminationRequest>): Promise<SessionTerminationAnswer> {
    return this.app.send('STR', req);
  }

  /** TS 29.214 §5.6.7 ASR (PCRF → AF). */
  abortSession(req: RxRequest<AbortSessionRequest>): Promise<AbortSessionAnswer> {
    return this.app.send('ASR', req);
  }

  onAa(handler: TypedHandler<AaRequest, RxAnswer<AaAnswer>>): void {
    this.app.on('AAR', handler);
  }

  onReAuth(handler: TypedHandler<ReAuthRequest, RxAnswer<ReAuthAnswer>>): void {
    this.app.on('RAR', handler);
  }

  onSessionTermination(
    handler: TypedHandler<SessionTerminationRequest, RxAnswer<SessionTerminationAnswer>>,
  ): void {
    this.app.on('STR', handler);
  }

  onAbortSession(handler: TypedHandler<AbortSessionRequest, RxAnswer<AbortSessionAnswer>>): void {
    this.app.on('ASR', handler);
  }
}
