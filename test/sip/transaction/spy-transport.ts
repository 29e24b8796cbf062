import type { SipRequest, SipResponse } from '../../../src/sip/message/index.ts';
import type {
  Destination,
  Flow,
  HostPort,
  IncomingMessage,
  TransportError,
  TransportLayer,
  TransportProtocol,
} from '../../../src/sip/transport/types.ts';

export interface SentMessage {
  message: SipRequest | SipResponse;
  /** For `send`. */
  destination?: Destination;
  /** For `sendResponse`. */
  requestFlow?: Flow;
}

const LOCAL: HostPort = { host: '192.0.2.1', port: 5060 };

/** A flow from a remote peer to us. */
export function flowFrom(protocol: TransportProtocol, host = '198.51.100.7', port = 5060): Flow {
  return {
    protocol,
    local: LOCAL,
    remote: { host, port },
    ...(protocol === 'udp' ? {} : { connectionId: `${protocol}-${host}-${port}` }),
  };
}

/**
 * A TransportLayer test double: records what is sent, lets the test inject incoming messages
 * and make sends fail (the transport contract's rejected promises).
 */
export class SpyTransport implements TransportLayer {
  readonly sent: SentMessage[] = [];
  /** Messages handed over, also when `record` is off. */
  count = 0;
  /** Keep every sent message in `sent` (off for load tests). */
  record = true;
  /** Every send fails with this while set. */
  failure: TransportError | undefined;
  /** The protocol sends "actually" use (e.g. tcp for a large UDP request, RFC 3261 §18.1.1). */
  switchTo: TransportProtocol | undefined;
  private handler: ((incoming: IncomingMessage) => void) | undefined;
  private failures: TransportError[] = [];

  /** The next send (only) fails with this error. */
  failNext(error: TransportError): void {
    this.failures.push(error);
  }

  send(message: SipRequest | SipResponse, destination: Destination): Promise<Flow> {
    this.count++;
    if (this.record) this.sent.push({ message, destination });
    const error = this.failures.shift() ?? this.failure;
    if (error) return Promise.reject(error);
    const protocol = this.switchTo ?? destination.protocol;
    return Promise.resolve(flowFrom(protocol, destination.host, destination.port));
  }

  sendResponse(response: SipResponse, requestFlow: Flow): Promise<Flow> {
    this.count++;
    if (this.record) this.sent.push({ message: response, requestFlow });
    const error = this.failures.shift() ?? this.failure;
    if (error) return Promise.reject(error);
    return Promise.resolve(requestFlow);
  }

  viaSentBy(_protocol: TransportProtocol): HostPort {
    return LOCAL;
  }

  onMessage(handler: (incoming: IncomingMessage) => void): void {
    this.handler = handler;
  }

  /** Delivers a message as if it had arrived over `flow`. */
  inject(message: SipRequest | SipResponse, flow: Flow): void {
    if (!this.handler) throw new Error('no receiver registered');
    this.handler({ message, flow, receivedAt: 0 });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Start lines of what was sent, e.g. 'INVITE', 'ACK', '100', '486'. */
  get summary(): string[] {
    return this.sent.map(({ message: m }) => ('method' in m ? m.method : String(m.status)));
  }

  clear(): void {
    this.sent.length = 0;
  }
}
