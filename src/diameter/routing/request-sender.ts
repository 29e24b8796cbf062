import type { Logger } from '../../log/logger.ts';
import type { DiameterHeader } from '../codec/header.ts';
import type { AvpValues, DiameterMessage } from '../codec/message.ts';
import { decodeMessage } from '../codec/message-decoder.ts';
import { encodeMessage } from '../codec/message-encoder.ts';
import { CommandFlag } from '../codec/raw-avp.ts';
import type { DiameterDiagnostics } from '../diagnostics/diameter-diagnostics.ts';
import type { Dictionary } from '../dictionary/dictionary.ts';
import { DiameterAnswerError, DiameterRoutingError } from '../errors.ts';
import type { Peer } from '../peer/peer.ts';
import { ResultCode } from '../result-code.ts';
import { type DiameterUri, parseDiameterUri } from './diameter-uri.ts';
import type { IdentifierSource } from './identifiers.ts';
import type { PendingRequests } from './pending-requests.ts';
import { type RedirectCache, type RedirectKeys, requestUsers } from './redirect-cache.ts';
import type { RoutingTable } from './routing-table.ts';

type Route = { applicationId: number; destinationHost?: string; destinationRealm?: string };
type Header = Omit<DiameterHeader, 'version' | 'length'>;

/** What a caller gives to send a request; the node fills the header ids and flags. */
export interface RequestInit {
  applicationId: number;
  commandCode: number;
  avps: AvpValues;
}

/** What the sender needs from its node. */
export interface SenderNode {
  readonly dictionary: Dictionary;
  readonly ids: IdentifierSource;
  readonly originHost: string;
  readonly originRealm: string;
  readonly log: Logger;
  readonly pending: PendingRequests;
  readonly routes: RoutingTable;
  readonly requestTimeout: number;
  readonly diagnostics: DiameterDiagnostics;
  /** Routes cached from redirect answers (RFC 6733 §6.1.8, §6.13). */
  readonly redirects: RedirectCache;
  peer(host: string): Peer | undefined;
  allPeers(): Peer[];
  /** The peer a Redirect-Host names, connected if it is not in the peer table (§6.1.8). */
  openRedirectPeer(uri: DiameterUri): Promise<Peer>;
  /** The peer named `host` if it can take a request of the application now. */
  usablePeer(host: string, applicationId: number): Peer | undefined;
  selectPeer(
    applicationId: number,
    host: string | undefined,
    realm: string | undefined,
    exclude: Set<string>,
  ): Peer | undefined;
}

/**
 * The client side of a node: builds the request header (R, P per the command, fresh hop-by-hop and
 * End-to-End ids), adds Origin-Host/Realm, picks the peer (a cached redirect route first),
 * registers the pending request (timer, T-flag retransmission) and follows a 3006 redirect
 * (RFC 6733 §6.1.8), connecting to the named host when it is not a peer yet.
 */
export class RequestSender {
  constructor(private readonly node: SenderNode) {}

  /**
   * Sends a request and resolves with the answer. Routes by a cached redirect route, then
   * Destination-Host, the routing table, any peer of the Destination-Realm; retransmits with the
   * T flag to an alternate peer on timeout or failover; follows one 3006 redirect. Rejects with
   * DiameterRoutingError, DiameterTimeoutError, DiameterAnswerError (E bit) or DiameterDecodeError.
   */
  async request(init: RequestInit, options: { timeout?: number } = {}): Promise<DiameterMessage> {
    const command = this.node.dictionary.command(init.applicationId, init.commandCode);
    const avps: AvpValues = { ...init.avps };
    avps.originHost ??= this.node.originHost;
    avps.originRealm ??= this.node.originRealm;
    const header = {
      flags: CommandFlag.Request | (command?.def.proxiable === false ? 0 : CommandFlag.Proxiable),
      commandCode: init.commandCode,
      applicationId: init.applicationId,
      hopByHopId: this.node.ids.nextHopByHopId(),
      endToEndId: this.node.ids.nextEndToEndId(),
    };
    const route: Route = {
      applicationId: init.applicationId,
      destinationHost: avps.destinationHost as string | undefined,
      destinationRealm: avps.destinationRealm as string | undefined,
    };
    const keys: RedirectKeys = {
      applicationId: init.applicationId,
      sessionId: avps.sessionId as string | undefined,
      destinationRealm: route.destinationRealm,
      users: requestUsers(avps),
    };
    const bytes = encodeMessage({ header, avps }, this.node.dictionary);
    let answer = await this.send(bytes, header, this.cachedRoute(route, keys), options.timeout);
    // RFC 6733 §6.1.8: the receiver of a 3006 sends the request to one of the Redirect-Hosts.
    if (
      answer.header.flags & CommandFlag.Error &&
      answer.avps.resultCode === ResultCode.DIAMETER_REDIRECT_INDICATION
    ) {
      answer = (await this.followRedirect(answer, header, avps, route, keys, options.timeout)) ?? answer;
    }
    if (answer.header.flags & CommandFlag.Error) {
      throw new DiameterAnswerError(
        answer,
        answer.avps.resultCode as number,
        answer.avps.errorMessage as string,
      );
    }
    return answer;
  }

  /**
   * The route of a request when a cached redirect applies: its target as Destination-Host for
   * routing (§6.13 precedence; ALL_HOST once the next hop is known). Targets no longer usable
   * are skipped: their entries go when the peer leaves the table (§6.14).
   */
  private cachedRoute(route: Route, keys: RedirectKeys): Route {
    const { redirects } = this.node;
    if (redirects.size === 0 || route.destinationHost !== undefined) return route;
    const target = redirects.lookup(keys);
    if (target && this.node.usablePeer(target, route.applicationId)) {
      return { ...route, destinationHost: target };
    }
    const next = this.node.selectPeer(route.applicationId, undefined, route.destinationRealm, new Set());
    const instead = next && redirects.lookupHost(next.host);
    if (instead && this.node.usablePeer(instead, route.applicationId)) {
      return { ...route, destinationHost: instead };
    }
    return route;
  }

  /** Sends the request again to the first Redirect-Host that can be reached; undefined if none. */
  private async followRedirect(
    redirect: DiameterMessage,
    header: Header,
    avps: AvpValues,
    route: Route,
    keys: RedirectKeys,
    timeout: number | undefined,
  ): Promise<DiameterMessage | undefined> {
    const hosts = (redirect.avps.redirectHost as string[] | undefined) ?? [];
    const usage = (redirect.avps.redirectHostUsage as number | undefined) ?? 0;
    const maxCacheTime = redirect.avps.redirectMaxCacheTime as number | undefined;
    for (const text of hosts) {
      const uri = parseDiameterUri(text);
      if (!uri || uri.host.toLowerCase() === this.node.originHost.toLowerCase()) continue;
      let peer: Peer;
      try {
        peer = await this.node.openRedirectPeer(uri);
      } catch (err) {
        this.node.log.info({ to: text, err: (err as Error).message }, 'redirect host not reachable');
        continue;
      }
      // RFC 6733 §6.1.8: with a non-zero Redirect-Host-Usage "a route entry for the redirect
      // indications is created and cached by the receiver", for Redirect-Max-Cache-Time (§6.14).
      if (usage !== 0) {
        const agent = redirect.avps.originHost as string | undefined;
        if (!this.node.redirects.store(usage, keys, peer.host, maxCacheTime, agent)) {
          this.node.log.debug({ usage, maxCacheTime }, 'redirect not cached');
        }
      }
      const again = { ...header, hopByHopId: this.node.ids.nextHopByHopId() };
      this.node.log.debug({ to: peer.host, usage }, 'following redirect');
      return this.send(
        encodeMessage({ header: again, avps }, this.node.dictionary),
        again,
        { ...route, destinationHost: peer.host },
        timeout,
      );
    }
    return undefined;
  }

  private send(bytes: Buffer, header: Header, route: Route, timeout?: number): Promise<DiameterMessage> {
    const peer = this.node.selectPeer(
      route.applicationId,
      route.destinationHost,
      route.destinationRealm,
      new Set(),
    );
    if (!peer) {
      const known =
        this.node.routes.lookup(route.destinationRealm, route.applicationId) !== undefined ||
        this.node.allPeers().some((p) => p.realm?.toLowerCase() === route.destinationRealm?.toLowerCase());
      const error = new DiameterRoutingError(
        `no peer for application ${route.applicationId} realm ${route.destinationRealm ?? '-'}`,
        known ? ResultCode.DIAMETER_UNABLE_TO_DELIVER : ResultCode.DIAMETER_REALM_NOT_SERVED,
      );
      this.node.diagnostics.failure(undefined, header, error.code, this.node.diagnostics.now());
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.node.pending.add({
        hopByHopId: header.hopByHopId,
        bytes,
        header: { ...header, version: 1, length: bytes.length },
        peer: peer.host,
        tried: new Set(),
        retransmissions: 0,
        timeoutMs: timeout ?? this.node.requestTimeout ?? 5000,
        route,
        onAnswer: (answerBytes) => {
          try {
            resolve(decodeMessage(answerBytes, this.node.dictionary));
          } catch (err) {
            reject(err);
          }
        },
        onFailure: reject,
      });
      try {
        peer.send(bytes);
      } catch {
        this.node.pending.failover(peer.host);
      }
    });
  }
}
