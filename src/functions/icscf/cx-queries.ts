/**
 * The I-CSCF's side of Cx (TS 29.228 §6.1.1 UAR, §6.1.4 LIR; messages TS 29.229 §6.1.1,
 * §6.1.5): sends the query to the HSS (or an SLF, whose Redirect-Host the Diameter node
 * follows, RFC 6733 §6.1.8) and tells an answer from a query that could not be completed.
 */
import type {
  CxApplication,
  CxRequest,
  LocationInfoAnswer,
  LocationInfoRequest,
  UserAuthorizationAnswer,
  UserAuthorizationRequest,
} from '../../diameter/apps/cx.ts';
import { type AnswerResult, answerResult } from '../../diameter/apps/result.ts';
import type { AvpValues } from '../../diameter/codec/message.ts';
import { DiameterError } from '../../diameter/errors.ts';
import type { Logger } from '../../log/logger.ts';

/** An answer came (whatever its result), or the query could not be completed. */
export type CxOutcome<A> =
  | { completed: true; answer: A; result: AnswerResult }
  | { completed: false; reason: string };

type Auto = 'destinationRealm';

export class CxQueries {
  constructor(
    private readonly cx: CxApplication,
    private readonly destinationRealm: string,
    private readonly logger: Logger,
  ) {}

  /** TS 29.228 §6.1.1 user registration status query. */
  userAuthorization(
    req: Omit<CxRequest<UserAuthorizationRequest>, Auto>,
  ): Promise<CxOutcome<UserAuthorizationAnswer>> {
    return this.query('UAR', () =>
      this.cx.userAuthorization({ destinationRealm: this.destinationRealm, ...req }),
    );
  }

  /** TS 29.228 §6.1.4 user location query. */
  locationInfo(req: Omit<CxRequest<LocationInfoRequest>, Auto>): Promise<CxOutcome<LocationInfoAnswer>> {
    return this.query('LIR', () => this.cx.locationInfo({ destinationRealm: this.destinationRealm, ...req }));
  }

  private async query<A>(command: string, send: () => Promise<A>): Promise<CxOutcome<A>> {
    try {
      const answer = await send();
      return { completed: true, answer, result: answerResult(answer as AvpValues) };
    } catch (err) {
      // No peer, a timeout, a protocol error (E bit: 3002, 3004, an unfollowed 3006...).
      const reason = err instanceof DiameterError ? `${err.message} (${err.resultCode})` : String(err);
      this.logger.warn({ command, err: reason }, 'Cx query could not be completed');
      return { completed: false, reason };
    }
  }
}
