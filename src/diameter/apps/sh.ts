import type { DiameterNode } from '../node.ts';
import { type AnswerBody, DiameterApplication, type Outgoing, type TypedHandler } from './application.ts';
import { AuthSessionState } from './generated/base-types.ts';
import type {
  ProfileUpdateAnswer,
  ProfileUpdateRequest,
  PushNotificationAnswer,
  PushNotificationRequest,
  SubscribeNotificationsAnswer,
  SubscribeNotificationsRequest,
  UserDataAnswer,
  UserDataRequest,
} from './generated/sh-types.ts';

export * from './generated/sh-types.ts';

/** Sh application id (TS 29.329 §6.2). */
export const SH_APPLICATION_ID = 16777217;

type Auto =
  | 'sessionId'
  | 'originHost'
  | 'originRealm'
  | 'destinationRealm'
  | 'vendorSpecificApplicationId'
  | 'authSessionState';
export type ShRequest<T> = Outgoing<T, Auto>;
export type ShAnswer<T> = AnswerBody<T, Auto>;

const VSAI = { vendorId: 10415, authApplicationId: SH_APPLICATION_ID };

/**
 * Sh (TS 29.328, TS 29.329): application servers towards the HSS (UDR, PUR, SNR) and the HSS
 * towards them (PNR). Like Cx, stateless: Auth-Session-State NO_STATE_MAINTAINED.
 */
export class ShApplication {
  private readonly app: DiameterApplication;

  constructor(node: DiameterNode) {
    const fill = {
      vendorSpecificApplicationId: VSAI,
      authSessionState: AuthSessionState.NO_STATE_MAINTAINED,
    };
    this.app = new DiameterApplication(
      node,
      { id: SH_APPLICATION_ID, vendorId: 10415, kind: 'auth' },
      { request: () => fill, answer: () => fill },
    );
  }

  /** TS 29.329 §6.1.1 UDR: read user data (repository data, IMS user state, iFC, ...). */
  userData(req: ShRequest<UserDataRequest>): Promise<UserDataAnswer> {
    return this.app.send('UDR', req);
  }

  /** TS 29.329 §6.1.3 PUR: update repository data. */
  profileUpdate(req: ShRequest<ProfileUpdateRequest>): Promise<ProfileUpdateAnswer> {
    return this.app.send('PUR', req);
  }

  /** TS 29.329 §6.1.5 SNR: subscribe to changes. */
  subscribeNotifications(
    req: ShRequest<SubscribeNotificationsRequest>,
  ): Promise<SubscribeNotificationsAnswer> {
    return this.app.send('SNR', req);
  }

  /** TS 29.329 §6.1.7 PNR: HSS notifies a change. */
  pushNotification(req: ShRequest<PushNotificationRequest>): Promise<PushNotificationAnswer> {
    return this.app.send('PNR', req);
  }

  onUserData(handler: TypedHandler<UserDataRequest, ShAnswer<UserDataAnswer>>): void {
    this.app.on('UDR', handler);
  }

  onProfileUpdate(handler: TypedHandler<ProfileUpdateRequest, ShAnswer<ProfileUpdateAnswer>>): void {
    this.app.on('PUR', handler);
  }

  onSubscribeNotifications(
    handler: TypedHandler<SubscribeNotificationsRequest, ShAnswer<SubscribeNotificationsAnswer>>,
  ): void {
    this.app.on('SNR', handler);
  }

  onPushNotification(handler: TypedHandler<PushNotificationRequest, ShAnswer<PushNotificationAnswer>>): void {
    this.app.on('PNR', handler);
  }
}
