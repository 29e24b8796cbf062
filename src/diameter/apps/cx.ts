import type { DiameterNode } from '../node.ts';
import { type AnswerBody, DiameterApplication, type Outgoing, type TypedHandler } from './application.ts';
import { AuthSessionState } from './generated/base-types.ts';
import type {
  LocationInfoAnswer,
  LocationInfoRequest,
  MultimediaAuthAnswer,
  MultimediaAuthRequest,
  PushProfileAnswer,
  PushProfileRequest,
  RegistrationTerminationAnswer,
  RegistrationTerminationRequest,
  ServerAssignmentAnswer,
  ServerAssignmentRequest,
  UserAuthorizationAnswer,
  UserAuthorizationRequest,
} from './generated/cx-types.ts';

export * from './generated/cx-types.ts';

/** Cx/Dx application id (TS 29.229 §6.2) and 3GPP vendor id. */
export const CX_APPLICATION_ID = 16777216;
export const VENDOR_3GPP = 10415;

/** What the Cx application fills in every request and answer. */
type Auto =
  | 'sessionId'
  | 'originHost'
  | 'originRealm'
  | 'destinationRealm'
  | 'vendorSpecificApplicationId'
  | 'authSessionState';
export type CxRequest<T> = Outgoing<T, Auto>;
export type CxAnswer<T> = AnswerBody<T, Auto>;

const VSAI = { vendorId: VENDOR_3GPP, authApplicationId: CX_APPLICATION_ID };

/**
 * Cx/Dx (TS 29.228, TS 29.229): I-CSCF and S-CSCF towards the HSS (UAR, SAR, LIR, MAR) and the
 * HSS towards the S-CSCF (RTR, PPR). Every message carries Vendor-Specific-Application-Id and
 * Auth-Session-State NO_STATE_MAINTAINED (TS 29.229 §6.1: Cx has no session state).
 */
export class CxApplication {
  private readonly app: DiameterApplication;

  constructor(node: DiameterNode) {
    const fill = {
      vendorSpecificApplicationId: VSAI,
      authSessionState: AuthSessionState.NO_STATE_MAINTAINED,
    };
    this.app = new DiameterApplication(
      node,
      { id: CX_APPLICATION_ID, vendorId: VENDOR_3GPP, kind: 'auth' },
      { request: () => fill, answer: () => fill },
    );
  }

  /** TS 29.229 §6.1.1 UAR (I-CSCF → HSS at registration). */
  userAuthorization(req: CxRequest<UserAuthorizationRequest>): Promise<UserAuthorizationAnswer> {
    return this.app.send('UAR', req);
  }

  /** TS 29.229 §6.1.3 SAR (S-CSCF → HSS). */
  serverAssignment(req: CxRequest<ServerAssignmentRequest>): Promise<ServerAssignmentAnswer> {
    return this.app.send('SAR', req);
  }

  /** TS 29.229 §6.1.5 LIR (I-CSCF → HSS for a terminating request). */
  locationInfo(req: CxRequest<LocationInfoRequest>): Promise<LocationInfoAnswer> {
    return this.app.send('LIR', req);
  }

  /** TS 29.229 §6.1.7 MAR (S-CSCF → HSS for authentication vectors). */
  multimediaAuth(req: CxRequest<MultimediaAuthRequest>): Promise<MultimediaAuthAnswer> {
    return this.app.send('MAR', req);
  }

  /** TS 29.229 §6.1.9 RTR (HSS → S-CSCF, network-initiated de-registration). */
  registrationTermination(
    req: CxRequest<RegistrationTerminationRequest>,
  ): Promise<RegistrationTerminationAnswer> {
    return this.app.send('RTR', req);
  }

  /** TS 29.229 §6.1.11 PPR (HSS → S-CSCF, profile changed). */
  pushProfile(req: CxRequest<PushProfileRequest>): Promise<PushProfileAnswer> {
    return this.app.send('PPR', req);
  }

  onUserAuthorization(
    handler: TypedHandler<UserAuthorizationRequest, CxAnswer<UserAuthorizationAnswer>>,
  ): void {
    this.app.on('UAR', handler);
  }

  onServerAssignment(handler: TypedHandler<ServerAssignmentRequest, CxAnswer<ServerAssignmentAnswer>>): void {
    this.app.on('SAR', handler);
  }

  onLocationInfo(handler: TypedHandler<LocationInfoRequest, CxAnswer<LocationInfoAnswer>>): void {
    this.app.on('LIR', handler);
  }

  onMultimediaAuth(handler: TypedHandler<MultimediaAuthRequest, CxAnswer<MultimediaAuthAnswer>>): void {
    this.app.on('MAR', handler);
  }

  onRegistrationTermination(
    handler: TypedHandler<RegistrationTerminationRequest, CxAnswer<RegistrationTerminationAnswer>>,
  ): void {
    this.app.on('RTR', handler);
  }

  onPushProfile(handler: TypedHandler<PushProfileRequest, CxAnswer<PushProfileAnswer>>): void {
    this.app.on('PPR', handler);
  }
}
