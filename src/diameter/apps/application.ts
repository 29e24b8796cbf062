import type { AvpValues, DiameterMessage } from '../codec/message.ts';
import type { DiameterNode } from '../node.ts';
import type { AdvertisedApplication } from '../peer/capabilities.ts';
import type { RequestInfo } from '../routing/request-dispatcher.ts';

/** A request type with the AVPs the application fills made optional (they can still be given). */
export type Outgoing<T, Auto extends string> = Omit<T, Auto> & Partial<Pick<T, Extract<Auto, keyof T>>>;

/** An answer's AVPs as a handler returns them: what the application fills is optional. */
export type AnswerBody<T, Auto extends string> = Omit<T, Auto> & Partial<Pick<T, Extract<Auto, keyof T>>>;

export type TypedHandler<Req, Ans> = (
  request: Req,
  info: RequestInfo & { message: DiameterMessage },
) => Ans | Promise<Ans>;

export interface ApplicationFill {
  /** AVPs every request of the application carries (merged under what the caller gives). */
  request(node: DiameterNode): AvpValues;
  /** AVPs every answer carries, given the request (merged under what the handler returns). */
  answer(request: DiameterMessage): AvpValues;
}

/**
 * Typed access to one Diameter application on a node: requests by command abbreviation, with
 * Session-Id, Origin-*, Destination-Realm and the application's fixed AVPs filled in; handlers
 * registered by abbreviation that get typed requests and return typed answer bodies. The
 * per-application classes (cx.ts, sh.ts, rx.ts, rf.ts) only name the commands.
 */
export class DiameterApplication {
  constructor(
    readonly node: DiameterNode,
    readonly advertised: AdvertisedApplication,
    private readonly fill: ApplicationFill,
  ) {
    node.advertise(advertised);
  }

  /** Sends a request (by abbreviation, e.g. 'UAR') and resolves with the answer's AVPs. */
  async send<Ans>(abbreviation: string, avps: object): Promise<Ans> {
    const answer = await this.sendMessage(abbreviation, avps);
    return answer.avps as Ans;
  }

  /** Like send(), resolving with the whole answer message (header included). */
  sendMessage(abbreviation: string, avps: object): Promise<DiameterMessage> {
    const command = this.node.dictionary.commandByName(abbreviation);
    if (!command) throw new Error(`unknown command ${abbreviation}`);
    const body: AvpValues = {
      sessionId: this.node.newSessionId(),
      destinationRealm: this.node.originRealm,
      ...this.fill.request(this.node),
      ...(avps as AvpValues),
    };
    return this.node.request({
      applicationId: this.advertised.id,
      commandCode: command.def.code,
      avps: body,
    });
  }

  /** Registers the handler of a request (by abbreviation, e.g. 'UAR'). */
  on<Req, Ans>(abbreviation: string, handler: TypedHandler<Req, Ans>): void {
    const command = this.node.dictionary.commandByName(abbreviation);
    if (!command) throw new Error(`unknown command ${abbreviation}`);
    this.node.handle(this.advertised.id, command.def.code, async (message, info) => {
      const body = (await handler(message.avps as Req, { ...info, message })) as AvpValues;
      return { ...this.fill.answer(message), ...body };
    });
  }
}
