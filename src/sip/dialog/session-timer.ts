import type { SipRequest, SipResponse } from '../message/index.ts';
import type { TimerHandle, TimerService } from '../transaction/index.ts';
import { DialogError } from './errors.ts';
import { hasOptionTag, MIN_SE, readHeader, SESSION_EXPIRES } from './extension-headers.ts';

/** RFC 4028 §4, §5: the smallest session interval and Min-SE, in seconds. */
export const MIN_SESSION_INTERVAL = 90;

export interface SessionTimerOptions {
  /**
   * The session interval (s) we ask for in our requests and the largest we accept. Unset: we
   * ask for none, but honour a peer's (we advertise `Supported: timer`).
   */
  interval?: number;
  /** Our Min-SE (s): smaller intervals are refused with 422 (RFC 4028 §9). Default 90. */
  minSE?: number;
  /** As UAS, the refresher we pick when the UAC leaves the choice to us (§9). Default uac. */
  refresher?: 'uac' | 'uas';
  /** How we refresh: UPDATE (RFC 3311) when the peer allows it, else re-INVITE. Default UPDATE. */
  method?: 'UPDATE' | 'INVITE';
}

export enum SessionTimerState {
  Inactive = 'inactive',
  Active = 'active',
  Expired = 'expired',
  Disposed = 'disposed',
}

const { Inactive, Active, Expired, Disposed } = SessionTimerState;

/** The outcome of negotiating a request we received (RFC 4028 §9). */
export type SessionTimerNegotiation =
  | { reject: true; minSE: number }
  | {
      reject: false;
      /** Header fields for our 2xx. */
      headers: [string, string][];
      /** The interval in force after the 2xx, or undefined for no session timer. */
      interval: number | undefined;
      localRefresher: boolean;
    };

/**
 * Session timers, RFC 4028: Session-Expires / Min-SE negotiation on both sides of a session
 * refresh transaction, the refresh at half the interval by the refresher (§7.4, §10) and the
 * BYE when the session expires without one (§10). The session sends; this decides and times.
 */
export class SessionTimer {
  private current: SessionTimerState = Inactive;
  /** The session interval in force (s). */
  interval: number | undefined;
  /** True when this side refreshes. */
  localRefresher = false;
  /** The Min-SE we put in our requests: ours, raised by 422 responses (§7.3). */
  private minSE: number;
  /** The interval we ask for (s), raised by 422 responses. */
  private requested: number | undefined;
  /** RFC 4028 §10: the refresher's timer, half the session interval. */
  private timerRefresh: TimerHandle | undefined;
  /** RFC 4028 §10: expiry less min(32 s, interval/3) on the other side's timer. */
  private timerExpiry: TimerHandle | undefined;

  constructor(
    private readonly options: SessionTimerOptions,
    private readonly timers: TimerService,
    private readonly events: { refresh(): void; expire(): void },
  ) {
    this.minSE = options.minSE ?? MIN_SESSION_INTERVAL;
    this.requested = options.interval;
    if (this.minSE < MIN_SESSION_INTERVAL || (this.requested !== undefined && this.requested < this.minSE)) {
      throw new DialogError(
        'ERR_SIP_DIALOG_OPTIONS',
        'session interval and Min-SE must be >= 90 s, interval >= Min-SE',
      );
    }
  }

  get state(): SessionTimerState {
    return this.current;
  }

  get refreshMethod(): 'UPDATE' | 'INVITE' {
    return this.options.method ?? 'UPDATE';
  }

  /**
   * Header fields for a session refresh request we send (§7.1 initial, §7.4 subsequent): the
   * interval in force (or the one we want) with the refresher in this transaction's terms.
   */
  requestHeaders(): [string, string][] {
    const headers: [string, string][] = [];
    const interval = this.current === Active ? this.interval : this.requested;
    if (interval !== undefined) {
      // §7.4: in a refresh, the refresher stays who it is: "uac" names the sender of this request.
      const refresher = this.current === Active ? `;refresher=${this.localRefresher ? 'uac' : 'uas'}` : '';
      headers.push(['Session-Expires', `${Math.max(interval, this.minSE)}${refresher}`]);
    }
    // §7.1: Min-SE is included when it differs from the default of 90.
    if (this.minSE !== MIN_SESSION_INTERVAL) headers.push(['Min-SE', String(this.minSE)]);
    return headers;
  }

  /**
   * RFC 4028 §7.3: a 422 carries the peer's Min-SE; the retry asks for at least that much.
   * Returns false when the 422 cannot be satisfied (no Min-SE, or one not above ours).
   */
  on422(response: SipResponse): boolean {
    const theirs = readHeader(response, MIN_SE);
    if (theirs === undefined || theirs <= this.minSE) return false;
    this.minSE = theirs;
    this.requested = Math.max(this.requested ?? theirs, theirs);
    if (this.current === Active && this.interval !== undefined)
      this.interval = Math.max(this.interval, theirs);
    return true;
  }

  /**
   * RFC 4028 §7.2: the 2xx to a session refresh request we sent. With Session-Expires, its
   * refresher parameter says who refreshes; without, "there is no session expiration".
   */
  onSuccessResponse(response: SipResponse): void {
    const se = readHeader(response, SESSION_EXPIRES);
    if (se === undefined) {
      this.deactivate();
      return;
    }
    // §7.2: refresher "uac" names us, the sender of the request; missing, we take the role.
    this.activate(se.interval, se.refresher !== 'uas');
  }

  /** RFC 4028 §9: what to answer a session refresh request (initial INVITE, re-INVITE, UPDATE). */
  negotiate(request: SipRequest): SessionTimerNegotiation {
    const uacSupports = hasOptionTag(request, 'Supported', 'timer');
    const se = readHeader(request, SESSION_EXPIRES);
    const theirMin = Math.max(readHeader(request, MIN_SE) ?? MIN_SESSION_INTERVAL, MIN_SESSION_INTERVAL);
    const ourMin = this.options.minSE ?? MIN_SESSION_INTERVAL;
    let interval: number;
    let refresher: 'uac' | 'uas';
    if (se !== undefined) {
      interval = se.interval;
      if (interval < ourMin) {
        // §8.1 (applied by the UAS, §9): too small: 422 when the UAC supports the extension,
        // else the interval is raised, as the UAC cannot react to a 422.
        if (uacSupports) return { reject: true, minSE: ourMin };
        interval = ourMin;
      }
      // §9: the UAS may lower the interval, never below the request's Min-SE.
      if (this.options.interval !== undefined && this.options.interval < interval) {
        interval = Math.max(this.options.interval, theirMin, ourMin);
      }
      refresher = se.refresher ?? (uacSupports ? (this.options.refresher ?? 'uac') : 'uas');
    } else if (this.options.interval !== undefined) {
      // §9: with no Session-Expires in the request, the UAS may still ask for session timers.
      interval = Math.max(this.options.interval, theirMin, ourMin);
      refresher = uacSupports ? (this.options.refresher ?? 'uac') : 'uas';
    } else {
      return { reject: false, headers: [], interval: undefined, localRefresher: false };
    }
    // §9: "uac" is only possible when the UAC supports session timers.
    if (!uacSupports) refresher = 'uas';
    const headers: [string, string][] = [['Session-Expires', `${interval};refresher=${refresher}`]];
    // §9: with the UAC supporting it, the 2xx carries Require: timer.
    if (uacSupports) headers.push(['Require', 'timer']);
    return { reject: false, headers, interval, localRefresher: refresher === 'uas' };
  }

  /** Starts or restarts the timers after a successful session refresh (§10). */
  activate(interval: number, localRefresher: boolean): void {
    if (this.current === Disposed || this.current === Expired) return;
    this.clearTimers();
    this.interval = interval;
    this.localRefresher = localRefresher;
    this.stateTransition(Active);
    const ms = interval * 1000;
    // §10: "the refresher SHOULD send a refresh ... at the half-way point of the session interval".
    if (localRefresher) this.timerRefresh = this.timers.setTimeout(() => this.refreshFired(), ms / 2);
    // §10: the other side sends "a BYE ... slightly before the session expiration. The minimum
    // of 32 seconds and one third of the session interval is RECOMMENDED"; the refresher, whose
    // refresh failed, at the expiration itself (so the two BYEs do not cross).
    const expiry = localRefresher ? ms : ms - Math.min(32_000, ms / 3);
    this.timerExpiry = this.timers.setTimeout(() => this.expiryFired(), expiry);
  }

  deactivate(): void {
    if (this.current !== Active) return;
    this.clearTimers();
    this.interval = undefined;
    this.stateTransition(Inactive);
  }

  dispose(): void {
    this.clearTimers();
    if (this.current !== Disposed) this.stateTransition(Disposed);
  }

  private stateTransition(to: SessionTimerState): void {
    const allowed: Record<SessionTimerState, SessionTimerState[]> = {
      [Inactive]: [Active, Disposed],
      [Active]: [Active, Inactive, Expired, Disposed],
      [Expired]: [Disposed],
      [Disposed]: [],
    };
    if (!allowed[this.current].includes(to)) {
      throw new DialogError('ERR_SIP_DIALOG_STATE', `session timer: ${this.current} -> ${to}`);
    }
    this.current = to;
  }

  private clearTimers(): void {
    if (this.timerRefresh !== undefined) this.timers.clearTimeout(this.timerRefresh);
    if (this.timerExpiry !== undefined) this.timers.clearTimeout(this.timerExpiry);
    this.timerRefresh = this.timerExpiry = undefined;
  }

  private refreshFired(): void {
    this.timerRefresh = undefined;
    if (this.current === Active) this.events.refresh();
  }

  private expiryFired(): void {
    this.timerExpiry = undefined;
    if (this.current !== Active) return;
    this.clearTimers();
    this.stateTransition(Expired);
    this.events.expire();
  }
}
