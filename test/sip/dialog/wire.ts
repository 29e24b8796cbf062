import { silentLogger } from '../../../src/log/logger.ts';
import { type UacInviteOptions, UacSession } from '../../../src/sip/dialog/uac-session.ts';
import { UasSession, type UasSessionOptions } from '../../../src/sip/dialog/uas-session.ts';
import { UserAgentCore } from '../../../src/sip/dialog/user-agent-core.ts';
import { parseMessage, type SipRequest, type SipResponse } from '../../../src/sip/message/index.ts';
import type {
  Destination,
  Flow,
  HostPort,
  IncomingMessage,
  TransportLayer,
} from '../../../src/sip/transport/types.ts';
import { FakeClock } from '../transaction/fake-clock.ts';

/** Transports of a test, by "host:port": what one sends to an address, the one there receives. */
export class WireNetwork {
  readonly nodes = new Map<string, WireTransport>();

  attach(address: HostPort): WireTransport {
    const t = new WireTransport(address, this);
    this.nodes.set(`${address.host}:${address.port}`, t);
    return t;
  }
}

/**
 * A transport layer on an in-memory network: what it sends is received (re-parsed from its
 * bytes, as from a socket) by the transport at the destination on the next microtask. Tests
 * read `sent`, and `drop` loses messages on purpose.
 */
export class WireTransport implements TransportLayer {
  readonly sent: (SipRequest | SipResponse)[] = [];
  /** When set, everything goes there whatever the destination (a pair of UAs). */
  peer: WireTransport | undefined;
  /** Messages for which this returns true are sent (recorded) but never arrive. */
  drop: (message: SipRequest | SipResponse) => boolean = () => false;
  private handler: ((incoming: IncomingMessage) => void) | undefined;

  constructor(
    readonly address: HostPort,
    private readonly network?: WireNetwork,
  ) {}

  send(message: SipRequest | SipResponse, destination: Destination): Promise<Flow> {
    return this.transmit(message, destination);
  }

  sendResponse(response: SipResponse, requestFlow: Flow): Promise<Flow> {
    return this.transmit(response, requestFlow.remote);
  }

  viaSentBy(): HostPort {
    return this.address;
  }

  onMessage(handler: (incoming: IncomingMessage) => void): void {
    this.handler = handler;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Delivers a message to this side as if it came over the wire from `from`. */
  inject(message: SipRequest | SipResponse, from: HostPort = this.peer?.address ?? this.address): void {
    const flow: Flow = { protocol: 'udp', local: this.address, remote: from };
    this.handler?.({ message: parseMessage(message.toBuffer()), flow, receivedAt: 0 });
  }

  /** Start lines of what was sent: 'INVITE', '180', 'ACK' ... */
  get summary(): string[] {
    return this.sent.map((m) => ('method' in m ? m.method : String(m.status)));
  }

  /** Sent requests of a method. */
  requests(method: string): SipRequest[] {
    return this.sent.filter((m): m is SipRequest => 'method' in m && m.method === method);
  }

  /** Sent responses with a status (to requests of a method). */
  responses(status: number, method?: string): SipResponse[] {
    return this.sent.filter(
      (m): m is SipResponse =>
        !('method' in m) && m.status === status && (!method || m.cseq.method === method),
    );
  }

  private transmit(message: SipRequest | SipResponse, to: HostPort): Promise<Flow> {
    this.sent.push(message);
    const bytes = message.toBuffer();
    const target = this.peer ?? this.network?.nodes.get(`${to.host}:${to.port}`);
    if (target && !this.drop(message)) {
      queueMicrotask(() => {
        const flow: Flow = { protocol: 'udp', local: target.address, remote: this.address };
        target.handler?.({ message: parseMessage(bytes), flow, receivedAt: 0 });
      });
    }
    return Promise.resolve({ protocol: 'udp', local: this.address, remote: to });
  }
}

export const ALICE: HostPort = { host: '192.0.2.1', port: 5060 };
export const BOB: HostPort = { host: '192.0.2.2', port: 5062 };

/** Two UA cores (Alice calls Bob) on one fake clock, wired together. */
export function wiredPair() {
  const clock = new FakeClock();
  const aliceWire = new WireTransport(ALICE);
  const bobWire = new WireTransport(BOB);
  aliceWire.peer = bobWire;
  bobWire.peer = aliceWire;
  const resolverTo = (peer: HostPort) => async () => [
    { protocol: 'udp' as const, host: peer.host, port: peer.port },
  ];
  const alice = new UserAgentCore({
    transport: aliceWire,
    resolve: resolverTo(BOB),
    timers: clock,
    logger: silentLogger,
  });
  const bob = new UserAgentCore({
    transport: bobWire,
    resolve: resolverTo(ALICE),
    timers: clock,
    logger: silentLogger,
  });
  return { clock, aliceWire, bobWire, alice, bob };
}

/** Lets queued deliveries and promise callbacks run (no real time passes). */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Advances fake time in steps, letting deliveries run between them. */
export async function advance(clock: FakeClock, ms: number, step = 100): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.tick(Math.min(step, ms - t));
    await settle(2);
  }
}

export const SDP_OFFER = {
  contentType: 'application/sdp',
  body: Buffer.from(
    'v=0\r\no=alice 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\n',
  ),
};
export const SDP_ANSWER = {
  contentType: 'application/sdp',
  body: Buffer.from(
    'v=0\r\no=bob 2 2 IN IP4 192.0.2.2\r\ns=-\r\nc=IN IP4 192.0.2.2\r\nt=0 0\r\nm=audio 3456 RTP/AVP 0\r\n',
  ),
};

/** Alice calls Bob (sessions built with the given options); Bob's handler keeps his UasSession. */
export async function startCall(
  pair: ReturnType<typeof wiredPair>,
  uacOptions: Partial<UacInviteOptions> = {},
  uasOptions: UasSessionOptions = {},
) {
  const box: { uas?: UasSession } = {};
  pair.bob.setRequestHandler((request, transaction) => {
    box.uas = UasSession.receive(pair.bob, request, transaction, uasOptions);
  });
  const uac = UacSession.invite(pair.alice, {
    to: 'sip:bob@ims.test',
    from: 'sip:alice@ims.test',
    body: SDP_OFFER,
    ...uacOptions,
  });
  await settle();
  if (!box.uas) throw new Error('the INVITE did not reach Bob');
  return { uac, uas: box.uas };
}
