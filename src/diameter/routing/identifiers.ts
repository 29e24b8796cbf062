import { randomInt } from 'node:crypto';

/**
 * Hop-by-hop and End-to-End identifiers and Session-Ids of one node.
 * RFC 6733 §3: hop-by-hop ids are unique on a connection, starting anywhere; the End-to-End
 * id's "high order 12 bits contain the low order 12 bits of current time, and the low order
 * 20 bits to a random value", then increase monotonically. §8.8: Session-Id is
 * `<DiameterIdentity>;<high 32 bits>;<low 32 bits>[;<optional value>]`, unique over time.
 */
export class IdentifierSource {
  private hopByHop: number;
  private endToEnd: number;
  private sessionHigh: number;
  private sessionLow = 0;

  constructor(now: () => number = Date.now) {
    const seconds = Math.floor(now() / 1000);
    this.hopByHop = randomInt(0, 0x100000000);
    this.endToEnd = (((seconds & 0xfff) << 20) | randomInt(0, 0x100000)) >>> 0;
    this.sessionHigh = seconds >>> 0;
  }

  nextHopByHopId(): number {
    this.hopByHop = (this.hopByHop + 1) >>> 0;
    return this.hopByHop;
  }

  nextEndToEndId(): number {
    this.endToEnd = (this.endToEnd + 1) >>> 0;
    return this.endToEnd;
  }

  /** A new Session-Id for this node (RFC 6733 §8.8). */
  nextSessionId(originHost: string, optional?: string): string {
    this.sessionLow = (this.sessionLow + 1) >>> 0;
    if (this.sessionLow === 0) this.sessionHigh = (this.sessionHigh + 1) >>> 0;
    return `${originHost};${this.sessionHigh};${this.sessionLow}${optional ? `;${optional}` : ''}`;
  }
}
