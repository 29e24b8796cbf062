import type { PeerConnection } from './peer-connection.ts';
import { PeerState } from './peer-state.ts';

/** Which side opened a connection: we did (initiator) or the peer did (responder). */
export type LinkRole = 'initiator' | 'responder';

/** What the links report to their peer. */
export interface PeerLinksUser {
  onMessage(conn: PeerConnection, bytes: Buffer): void;
  /** A current connection closed (it has already been forgotten). */
  onClose(conn: PeerConnection, role: LinkRole, error: Error | undefined): void;
}

/**
 * The transport connections of one peer (RFC 6733 §5.6): the initiator connection we opened
 * and the responder connection the peer opened. Both exist only while an election runs
 * (§5.6.4); afterwards one carries all messages. Events of a connection that was replaced or
 * dropped are ignored.
 */
export class PeerLinks {
  private initiatorConn: PeerConnection | undefined;
  private responderConn: PeerConnection | undefined;

  constructor(private readonly user: PeerLinksUser) {}

  get initiator(): PeerConnection | undefined {
    return this.initiatorConn;
  }

  get responder(): PeerConnection | undefined {
    return this.responderConn;
  }

  /** Takes `conn` as the connection of `role` and listens to it. */
  attach(conn: PeerConnection, role: LinkRole): void {
    conn.on('message', (bytes) => {
      if (this.current(role) === conn) this.user.onMessage(conn, bytes);
    });
    conn.on('close', (error) => {
      if (this.current(role) !== conn) return;
      this.set(role, undefined);
      this.user.onClose(conn, role, error);
    });
    this.set(role, conn);
  }

  /** Closes the connection of `role` (after pending writes) and forgets it. */
  drop(role: LinkRole, graceMs?: number): void {
    const conn = this.current(role);
    this.set(role, undefined);
    conn?.close(graceMs);
  }

  dropAll(graceMs?: number): void {
    this.drop('initiator', graceMs);
    this.drop('responder', graceMs);
  }

  /** The connection that carries messages in `state`: the one the capabilities exchange opened. */
  active(state: PeerState): PeerConnection | undefined {
    if (state === PeerState.ROpen) return this.responderConn;
    if (state === PeerState.IOpen) return this.initiatorConn;
    if (state === PeerState.Closing) return this.initiatorConn ?? this.responderConn;
    return undefined;
  }

  private current(role: LinkRole): PeerConnection | undefined {
    return role === 'initiator' ? this.initiatorConn : this.responderConn;
  }

  private set(role: LinkRole, conn: PeerConnection | undefined): void {
    if (role === 'initiator') this.initiatorConn = conn;
    else this.responderConn = conn;
  }
}
