import { DialogError } from './errors.ts';
import type { SessionBody } from './session-body.ts';

/** Where one dialog's offer/answer exchange stands (RFC 3264 §4, RFC 6337 §2). */
export enum OfferAnswerState {
  /** Nothing offered yet in this session. */
  Idle = 'idle',
  /** We sent an offer and wait for its answer. */
  LocalOffer = 'local-offer',
  /** We received an offer and owe its answer. */
  RemoteOffer = 'remote-offer',
  /** The last offer was answered: local and remote descriptions are in force. */
  Stable = 'stable',
}

const { Idle, LocalOffer, RemoteOffer, Stable } = OfferAnswerState;

/**
 * The offer/answer model over one dialog (RFC 3264, with the SIP rules of RFC 3261 §13.2.1,
 * RFC 3262 §5 and RFC 3311 §5): one offer outstanding at most, who made it, and the session
 * descriptions in force. Bodies are opaque; only their order matters here.
 */
export class OfferAnswer {
  private current: OfferAnswerState = Idle;
  /** Our session description in force (the last one we sent that was part of a completed exchange). */
  local: SessionBody | undefined;
  /** The peer's session description in force. */
  remote: SessionBody | undefined;
  /** The offer outstanding (ours in LocalOffer, the peer's in RemoteOffer). */
  pendingOffer: SessionBody | undefined;
  /** Who made the outstanding offer, or the last one. */
  offerer: 'local' | 'remote' | undefined;

  get state(): OfferAnswerState {
    return this.current;
  }

  /** True while an offer waits for its answer (RFC 3311 §5.1 "offer in progress"). */
  get offerPending(): boolean {
    return this.current === LocalOffer || this.current === RemoteOffer;
  }

  /**
   * A session description we send: the answer when we owe one, else a new offer. RFC 3264
   * §4: an offer may not be made while another is outstanding.
   */
  send(body: SessionBody): 'offer' | 'answer' {
    if (this.current === RemoteOffer) {
      this.remote = this.pendingOffer;
      this.local = body;
      this.pendingOffer = undefined;
      this.transition(Stable);
      return 'answer';
    }
    if (this.current === LocalOffer) {
      throw new DialogError('ERR_SIP_OFFER_ANSWER', 'an offer is already waiting for its answer');
    }
    this.pendingOffer = body;
    this.offerer = 'local';
    this.transition(LocalOffer);
    return 'offer';
  }

  /** A session description received: the answer to our offer, else a new offer. */
  receive(body: SessionBody): 'offer' | 'answer' {
    if (this.current === LocalOffer) {
      this.local = this.pendingOffer;
      this.remote = body;
      this.pendingOffer = undefined;
      this.transition(Stable);
      return 'answer';
    }
    if (this.current === RemoteOffer) {
      // RFC 3311 §5.2 / RFC 3264 §4: a second offer before the first was answered.
      throw new DialogError('ERR_SIP_OFFER_ANSWER', 'an offer arrived while another is unanswered');
    }
    this.pendingOffer = body;
    this.offerer = 'remote';
    this.transition(RemoteOffer);
    return 'offer';
  }

  /** Which a received body would be, without recording it. */
  classify(): 'offer' | 'answer' | 'invalid' {
    if (this.current === LocalOffer) return 'answer';
    return this.current === RemoteOffer ? 'invalid' : 'offer';
  }

  /**
   * The request carrying the outstanding offer failed (RFC 3261 §14.1: "the session
   * parameters remain unchanged"): the offer is withdrawn.
   */
  rollback(): void {
    if (!this.offerPending) return;
    this.pendingOffer = undefined;
    this.transition(this.local !== undefined || this.remote !== undefined ? Stable : Idle);
  }

  /**
   * Starts over with only our offer outstanding: the 2xx came from another fork than the one
   * whose reliable provisional answer was recorded (RFC 3261 §13.2.2.4, forking).
   */
  restart(offer: SessionBody | undefined): void {
    this.local = this.remote = undefined;
    this.pendingOffer = offer;
    this.offerer = offer ? 'local' : undefined;
    this.current = offer ? LocalOffer : Idle;
  }

  private transition(to: OfferAnswerState): void {
    const allowed: Record<OfferAnswerState, OfferAnswerState[]> = {
      [Idle]: [LocalOffer, RemoteOffer],
      [LocalOffer]: [Stable, Idle],
      [RemoteOffer]: [Stable, Idle],
      [Stable]: [LocalOffer, RemoteOffer],
    };
    if (!allowed[this.current].includes(to)) {
      throw new DialogError('ERR_SIP_OFFER_ANSWER', `offer/answer: ${this.current} -> ${to}`);
    }
    this.current = to;
  }
}
