import type { Logger } from '../../log/logger.ts';
import {
  findHeaderEnd,
  parseMessage,
  SipParseError,
  type SipRequest,
  type SipResponse,
  type Via,
} from '../message/index.ts';
import { malformedRequestAnswer } from './malformed-request-answer.ts';
import type { TransportStats } from './transport-stats.ts';
import type { Flow, HostPort, IncomingMessage } from './types.ts';
import { stampReceived } from './via-routing.ts';

/** What the receiver needs from the transport layer around it. */
export interface ReceiverHooks {
  /** RFC 3261 §18.1.2: whether a response's top Via sent-by is one we insert. */
  isOwnSentBy(via: Via): boolean;
  /** RFC 5923: a request on a connection carried `alias` in its top Via. */
  alias(flow: Flow, via: Via): void;
  /**
   * Sends a stateless answer (400/505/513) to a malformed request: routed by its Via, or,
   * when `target` is given (no usable Via), over the flow's connection or to `target` (UDP).
   */
  answer(response: SipResponse, flow: Flow, target?: HostPort): Promise<unknown>;
  /** The receiver registered with onMessage(). */
  deliver(incoming: IncomingMessage): void;
}

/**
 * The receive half of RFC 3261 §18: parses the bytes of one message, stamps requests with
 * received/rport (§18.2.1, RFC 3581 §4), drops responses that are not ours (§18.1.2), answers
 * malformed requests statelessly and drops malformed responses. Never throws.
 */
export class MessageReceiver {
  constructor(
    private readonly hooks: ReceiverHooks,
    private readonly stats: TransportStats,
    private readonly logger: Logger,
    /** Largest header section accepted, bytes (TransportOptions.limits.maxHeaderSize). */
    private readonly maxHeaderSize = Number.POSITIVE_INFINITY,
  ) {}

  /** `stream`: the bytes were framed by a StreamFramer (Content-Length is then mandatory). */
  receive(data: Buffer, flow: Flow, stream: boolean): void {
    const receivedAt = Date.now();
    if (
      data.length > this.maxHeaderSize &&
      (findHeaderEnd(data, 0)?.[0] ?? data.length) > this.maxHeaderSize
    ) {
      this.stats.oversizedDropped++;
      const reason = `Message Too Large: header section over ${this.maxHeaderSize} bytes`;
      this.refuse(data, flow, new SipParseError(reason, undefined, 513));
      return;
    }
    let message: SipRequest | SipResponse;
    try {
      message = parseMessage(data, { stream });
    } catch (err) {
      this.malformed(err, flow);
      return;
    }
    try {
      if (message.isRequest) this.request(message as SipRequest, flow);
      else if (!this.response(message as SipResponse, flow)) return;
    } catch (err) {
      // A header read lazily here (the Via) turned out malformed.
      this.malformed(err, flow, message);
      return;
    }
    try {
      this.hooks.deliver({ message, flow, receivedAt });
    } catch (err) {
      this.logger.error({ err, flow }, 'message handler threw');
    }
  }

  /**
   * A message refused before it was parsed: over the size limit (RFC 3261 §21.5.14 513) or
   * its stream framing lost (§18.3). A request whose start line and headers can be read from
   * `head` is answered with `error`'s status and reason; anything else is dropped.
   */
  refuse(head: Buffer, flow: Flow, error: SipParseError): void {
    try {
      const message = parseMessage(head, { headersOnly: true });
      error.kind = message.isRequest ? 'request' : 'response';
      error.headers = message.headers;
    } catch (err) {
      if (!(err instanceof SipParseError)) {
        this.logger.error({ err, flow }, 'unexpected error while parsing');
        return;
      }
      error.kind = err.kind;
      error.headers = err.headers;
    }
    this.malformed(error, flow);
  }

  private request(request: SipRequest, flow: Flow): void {
    const via = request.vias[0];
    if (!via) throw new SipParseError('Missing Via header', 'Via');
    stampReceived(request, flow.remote);
    // RFC 5923 §5: `alias` offers the connection for requests in the backwards direction.
    if (flow.connectionId && request.topVia.params.has('alias')) this.hooks.alias(flow, request.topVia);
    this.stats.requestsReceived++;
  }

  private response(response: SipResponse, flow: Flow): boolean {
    const via = response.vias[0];
    // RFC 3261 §18.1.2: a response whose top Via sent-by is not what we insert is discarded.
    if (!via || !this.hooks.isOwnSentBy(via)) {
      this.stats.misroutedDropped++;
      this.logger.debug(
        { flow, via: via?.toString(), status: response.status },
        'response not for us, dropped',
      );
      return false;
    }
    this.stats.responsesReceived++;
    return true;
  }

  private malformed(err: unknown, flow: Flow, parsed?: SipRequest | SipResponse): void {
    if (!(err instanceof SipParseError)) {
      this.logger.error({ err, flow }, 'unexpected error while parsing');
      return;
    }
    const isRequest = parsed ? parsed.isRequest : err.kind === 'request';
    if (!isRequest) {
      // RFC 3261 §18.1.2: a malformed response is discarded.
      this.stats.malformedResponses++;
      this.logger.debug({ flow, reason: err.reason }, 'malformed response dropped');
      return;
    }
    this.stats.malformedRequests++;
    if (parsed) {
      err.kind = 'request';
      err.headers = parsed.headers;
    }
    const answer = malformedRequestAnswer(err, flow);
    if (!answer) {
      this.logger.debug({ flow, reason: err.reason }, 'malformed request dropped: cannot be answered');
      return;
    }
    const { response, target } = answer;
    this.logger.debug({ flow, reason: err.reason, status: response.status }, 'malformed request answered');
    if (!target) {
      try {
        // RFC 3261 §18.2.1 holds for the request we answer: the 400 follows received/rport.
        stampReceived(response, flow.remote);
      } catch {
        return;
      }
    }
    this.hooks.answer(response, flow, target).then(
      () => this.stats.badRequestsAnswered++,
      (e: unknown) => this.logger.debug({ err: String(e), flow }, 'could not answer malformed request'),
    );
  }
}
