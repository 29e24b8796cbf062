import type { DiameterHeader } from '../codec/header.ts';
import { isRequest } from '../codec/header.ts';
import { ResultCode } from '../result-code.ts';
import { type BaseMessages, DWR } from './base-messages.ts';
import type { PeerConnection } from './peer-connection.ts';
import { Watchdog, type WatchdogState } from './watchdog.ts';

/** What the liveness part needs from its peer. */
export interface PeerLivenessUser {
  /** Sends a base message on the connection in use; false if there is none. */
  send(bytes: Buffer): boolean;
  /** Whether the peer state machine is in R-Open or I-Open. */
  isOpen(): boolean;
  /** Whether requests may be routed to the peer changed. */
  availability(usable: boolean): void;
  /** RFC 3539 CloseConnection(): the watchdog declared the connection dead. */
  closeConnection(): void;
}

/** Message counters of one peer (for status pages and tests). */
export interface PeerCounters {
  dwrSent: number;
  dwrReceived: number;
  dwaReceived: number;
  dprReceived: number;
  received: number;
}

/**
 * Whether an open peer is alive (RFC 6733 §5.5, RFC 3539 §3.4): the watchdog, the DWRs it sends,
 * the DWAs it answers, and the traffic counters. Every message received on the open connection
 * restarts Tw; DWAs also count towards failback. The peer is available to requests when it is
 * open and its watchdog is OKAY; each change is reported once.
 */
export class PeerLiveness {
  readonly counters: PeerCounters = {
    dwrSent: 0,
    dwrReceived: 0,
    dwaReceived: 0,
    dprReceived: 0,
    received: 0,
  };
  private readonly watchdog: Watchdog;
  private lastUsable = false;

  constructor(
    private readonly user: PeerLivenessUser,
    private readonly messages: BaseMessages,
    private readonly originStateId: number,
    twInit: number | undefined,
  ) {
    this.watchdog = new Watchdog(
      {
        sendWatchdog: () => {
          this.counters.dwrSent++;
          // RFC 6733 §5.5.1: DWR carries Origin-Host, Origin-Realm and [ Origin-State-Id ].
          this.user.send(this.messages.request(DWR, { originStateId: this.originStateId }));
        },
        failover: () => this.checkAvailability(),
        failback: () => this.checkAvailability(),
        closeConnection: () => this.user.closeConnection(),
      },
      { twInit },
    );
  }

  /** Requests may go to the peer: open, and the watchdog is OKAY (RFC 3539 §3.4.1). */
  get usable(): boolean {
    return this.user.isOpen() && this.watchdog.usable;
  }

  /** Reports a change of `usable` (after the peer opened or closed, or a failover/failback). */
  checkAvailability(): void {
    const usable = this.usable;
    if (usable === this.lastUsable) return;
    this.lastUsable = usable;
    this.user.availability(usable);
  }

  get state(): WatchdogState {
    return this.watchdog.state;
  }

  connectionUp(): void {
    this.watchdog.connectionUp();
  }

  connectionDown(orderly: boolean): void {
    this.watchdog.connectionDown(orderly);
  }

  /** Any message arrived on the open connection. */
  received(header: DiameterHeader): void {
    this.counters.received++;
    if (!isRequest(header) && header.commandCode === DWR) {
      this.counters.dwaReceived++;
      this.watchdog.receivedDwa();
    } else {
      this.watchdog.receivedOther();
    }
  }

  /** RFC 6733 §5.5.2: a DWR is answered with a DWA carrying our Origin-State-Id. */
  answerDwr(conn: PeerConnection, request: DiameterHeader): void {
    this.counters.dwrReceived++;
    conn.send(
      this.messages.answer(request, ResultCode.DIAMETER_SUCCESS, { originStateId: this.originStateId }),
    );
  }

  dispose(): void {
    this.watchdog.dispose();
  }
}
