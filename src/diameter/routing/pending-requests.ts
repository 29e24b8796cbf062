import { performance } from 'node:perf_hooks';
import type { DiameterHeader } from '../codec/header.ts';
import { DiameterTimeoutError } from '../errors.ts';

export interface PendingRequest {
  readonly hopByHopId: number;
  /** The request as last sent (the T flag is set on the copy sent to an alternate peer). */
  bytes: Buffer;
  readonly header: DiameterHeader;
  /** Peer the request is waiting on now, and every peer it went to. */
  peer: string;
  readonly tried: Set<string>;
  retransmissions: number;
  /** What routing needs to pick an alternate peer. */
  readonly route: {
    applicationId: number;
    destinationHost?: string;
    destinationRealm?: string;
    from?: string;
  };
  readonly timeoutMs: number;
  timer?: ReturnType<typeof setTimeout>;
  /** When the request was first sent (monotonic ms); set by PendingRequests.add. */
  startedAt?: number;
  /** The answer came (from any peer the request was sent to). */
  onAnswer(bytes: Buffer, header: DiameterHeader, peer: string): void;
  /** No answer: timeout on the last peer, or no peer left. */
  onFailure(error: Error): void;
}

/**
 * Sends a request to an alternate peer with the T flag (RFC 6733 §5.5.4, §3 T bit); returns the
 * peer's identity, or undefined when there is none left.
 */
export type Retransmit = (request: PendingRequest) => string | undefined;

/** Told of each sending and each failure (for metrics and peer activity). */
export interface PendingObserver {
  /** The request went to `request.peer`: first sending, or a retransmission with the T flag. */
  sent(request: PendingRequest, retransmitted: boolean): void;
  /** It ended without an answer. */
  failed(request: PendingRequest, error: Error): void;
}

/**
 * Requests sent and not yet answered, by hop-by-hop id (RFC 6733 §3: answers are matched by it).
 * Each has a timer; on expiry, or when its peer fails (watchdog failover), the request goes to an
 * alternate peer with the T flag, up to `maxRetransmissions` times; then it fails.
 */
export class PendingRequests {
  private readonly byId = new Map<number, PendingRequest>();

  constructor(
    private readonly retransmit: Retransmit,
    private readonly maxRetransmissions = 2,
    private readonly observer?: PendingObserver,
  ) {}

  add(request: PendingRequest): void {
    this.byId.set(request.hopByHopId, request);
    request.tried.add(request.peer);
    request.startedAt ??= performance.now();
    this.arm(request);
    this.observer?.sent(request, false);
  }

  /** Whether a request still waits for an answer from `peer`. */
  waitsOn(peer: string): boolean {
    for (const r of this.byId.values()) if (r.peer === peer) return true;
    return false;
  }

  /** Removes and returns the request an answer belongs to (only from a peer it was sent to). */
  take(hopByHopId: number, fromPeer: string): PendingRequest | undefined {
    const r = this.byId.get(hopByHopId);
    if (!r?.tried.has(fromPeer)) return undefined;
    this.byId.delete(hopByHopId);
    if (r.timer) clearTimeout(r.timer);
    return r;
  }

  /** RFC 6733 §5.5.4: "all pending request messages [are] forwarded to an alternate agent, if possible". */
  failover(peer: string): void {
    for (const r of [...this.byId.values()]) {
      if (r.peer !== peer || r.retransmissions >= this.maxRetransmissions) continue;
      this.tryAlternate(r);
    }
  }

  /** Fails every pending request (node shutting down). */
  failAll(error: Error): void {
    for (const r of [...this.byId.values()]) this.fail(r, error);
  }

  get size(): number {
    return this.byId.size;
  }

  private tryAlternate(r: PendingRequest): boolean {
    const next = this.retransmit(r);
    if (next === undefined) return false;
    r.retransmissions++;
    r.peer = next;
    r.tried.add(next);
    this.arm(r);
    this.observer?.sent(r, true);
    return true;
  }

  private arm(r: PendingRequest): void {
    if (r.timer) clearTimeout(r.timer);
    r.timer = setTimeout(() => this.onTimeout(r), r.timeoutMs);
  }

  private onTimeout(r: PendingRequest): void {
    r.timer = undefined;
    if (!this.byId.has(r.hopByHopId)) return;
    if (r.retransmissions < this.maxRetransmissions && this.tryAlternate(r)) return;
    this.fail(
      r,
      new DiameterTimeoutError(
        `no answer to command ${r.header.commandCode} from ${[...r.tried].join(', ')}`,
      ),
    );
  }

  private fail(r: PendingRequest, error: Error): void {
    this.byId.delete(r.hopByHopId);
    if (r.timer) clearTimeout(r.timer);
    this.observer?.failed(r, error);
    r.onFailure(error);
  }
}
