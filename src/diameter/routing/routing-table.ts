/**
 * RFC 6733 §2.7 routing table entry. `local`: this node serves the realm; `relay`/`proxy`:
 * forward to one of `peers` (a proxy may apply policy, here both forward unchanged but for
 * Route-Record); `redirect`: answer 3006 pointing at `redirectHosts`.
 */
export type RouteAction = 'local' | 'relay' | 'proxy' | 'redirect';

export interface RouteEntry {
  /** Realm (Destination-Realm), or '*' for the default route. */
  realm: string;
  /** Application id; absent for every application. */
  applicationId?: number;
  action: RouteAction;
  /** Peer identities (Origin-Host of the peers), in order of preference. */
  peers: string[];
  /** For `redirect`: DiameterURIs to put in Redirect-Host. */
  redirectHosts?: string[];
}

/**
 * Realm-based routing table (RFC 6733 §2.7): the most specific entry wins: realm and
 * application, then realm alone, then the default route '*'.
 */
export class RoutingTable {
  private readonly entries: RouteEntry[] = [];

  constructor(entries: readonly RouteEntry[] = []) {
    for (const e of entries) this.add(e);
  }

  add(entry: RouteEntry): void {
    this.entries.push({ ...entry, realm: entry.realm.toLowerCase() });
  }

  lookup(realm: string | undefined, applicationId: number): RouteEntry | undefined {
    const r = realm?.toLowerCase();
    return (
      this.entries.find((e) => e.realm === r && e.applicationId === applicationId) ??
      this.entries.find((e) => e.realm === r && e.applicationId === undefined) ??
      this.entries.find(
        (e) => e.realm === '*' && (e.applicationId === undefined || e.applicationId === applicationId),
      )
    );
  }

  all(): readonly RouteEntry[] {
    return this.entries;
  }
}
