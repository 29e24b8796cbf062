import type { SipRequest, SipResponse } from '../message/index.ts';
import type { TimerHandle, TimerService } from '../transaction/index.ts';
import type { Destination } from '../transport/types.ts';

interface Entry {
  /** Undefined while the ACK is being prepared (a body may be awaited, the next hop resolved). */
  ack: SipRequest | undefined;
  destination: Destination | undefined;
  timer: TimerHandle;
}

/**
 * The UAC core's memory of the ACKs it sent for 2xx responses to INVITE (RFC 3261 §13.2.2.4):
 * "The UAC core MUST generate an ACK request for each 2xx received from the transaction layer"
 * and, since the UAS retransmits its 2xx until the ACK arrives (§13.3.1.4), re-sends the same
 * ACK for each retransmission. Entries live 64*T1, as long as the UAS may retransmit.
 */
export class UacAckCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly timers: TimerService,
    private readonly lifetime: number,
    private readonly send: (ack: SipRequest, destination: Destination) => void,
  ) {}

  /** One entry per dialog and INVITE: Call-ID, local (From) tag, remote (To) tag, CSeq number. */
  static key(response: SipResponse | SipRequest): string {
    return `${response.callId}\n${response.from.tag ?? ''}\n${response.to.tag ?? ''}\n${response.cseq.seq}`;
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * A 2xx to INVITE from the transaction layer or a stray one: true when it was seen before
   * (its ACK, if sent, goes out again), false for a new one, which is then expected to be ACKed.
   */
  absorb(response: SipResponse): boolean {
    const key = UacAckCache.key(response);
    const entry = this.entries.get(key);
    if (entry === undefined) {
      const timer = this.timers.setTimeout(() => this.entries.delete(key), this.lifetime);
      this.entries.set(key, { ack: undefined, destination: undefined, timer });
      return false;
    }
    if (entry.ack && entry.destination) this.send(entry.ack, entry.destination);
    return true;
  }

  /** A stray 2xx (its transaction gone): the ACK goes out again if it is known; true then. */
  resend(response: SipResponse): boolean {
    const entry = this.entries.get(UacAckCache.key(response));
    if (entry?.ack === undefined || entry.destination === undefined) return entry !== undefined;
    this.send(entry.ack, entry.destination);
    return true;
  }

  /** Records the ACK sent for a 2xx, to re-send it for the 2xx's retransmissions. */
  store(ack: SipRequest, destination: Destination): void {
    const key = UacAckCache.key(ack);
    const entry = this.entries.get(key);
    if (entry) {
      entry.ack = ack;
      entry.destination = destination;
      return;
    }
    const timer = this.timers.setTimeout(() => this.entries.delete(key), this.lifetime);
    this.entries.set(key, { ack, destination, timer });
  }

  dispose(): void {
    for (const e of this.entries.values()) this.timers.clearTimeout(e.timer);
    this.entries.clear();
  }
}
