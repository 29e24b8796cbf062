import type { Logger } from '../../log/logger.ts';
import type { DiameterHeader } from '../codec/header.ts';
import type { AvpValues, DiameterMessage } from '../codec/message.ts';
import { decodeMessage } from '../codec/message-decoder.ts';
import { encodeMessage } from '../codec/message-encoder.ts';
import { CommandFlag } from '../codec/raw-avp.ts';
import type { Dictionary } from '../dictionary/dictionary.ts';
import { DiameterAnswerError, DiameterRoutingError } from '../errors.ts';
import type { Peer } from '../peer/peer.ts';
import { ResultCode } from '../result-code.ts';
import { parseDiameterUri } from './diameter-uri.ts';
import type { IdentifierSource } from './identifiers.ts';
import type { PendingRequests } from './pending-requests.ts';
import type { RoutingTable } from './routing-table.ts';

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
  peer(host: string): Peer | undefined;
  allPeers(): Peer[];
  selectPeer(
    applicationId: number,
    host: string | undefined,
    realm: string | undefined,
    exclude: Set<string>,
  ): Peer | undefined;
}

/**
 * The client side of a node: builds the request header (R, P per the command, fresh hop-by-hop and
 * End-to-End ids), adds Origin-Host/Realm, picks the peer, registers the pending request (timer,
 * T-flag retransmission) and follows a 3006 redirect (RFC 6733 §6.1.7) to a known peer.
 */
export class RequestSender {
  constructor(private readonly node: SenderNode) {}

  /**
   * Sends a request and resolves with the answer. Routes by Destination-Host, then the routing
   * table, then any peer of the Destination-Realm; retransmits with the T flag to an alternate peer
   * on timeout or failover; follows one 3006 redirect to a known peer. Rejects with
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
    const destinationHost = avps.destinationHost as string | undefined;
    const destinationRealm = avps.destinationRealm as string | undefined;
    let answer = await this.send(
      encodeMessage({ header, avps }, this.node.dictionary),
      header,
      {
        applicationId: init.applicationId,
        destinationHost,
        destinationRealm,
      },
      options.timeout,
    );
    // RFC 6733 §6.13: a redirect agent answered; send the request to the host it named.
    if (
      answer.header.flags & CommandFlag.Error &&
      answer.avps.resultCode === ResultCode.DIAMETER_REDIRECT_INDICATION
    ) {
      const target = this.redirectTarget(answer);
      if (target) {
        const again = { ...header, hopByHopId: this.node.ids.nextHopByHopId() };
        this.node.log.debug({ to: target }, 'following redirect');
        answer = await this.send(
          encodeMessage({ header: again, avps }, this.node.dictionary),
          again,
          {
            applicationId: init.applicationId,
            destinationHost: target,
            destinationRealm,
          },
          options.timeout,
        );
      }
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

  private send(
    bytes: Buffer,
    header: Omit<DiameterHeader, 'version' | 'length'>,
    route: { applicationId: number; destinationHost?: string; destinationRealm?: string },
    timeout?: number,
  ): Promise<DiameterMessage> {
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
      return Promise.reject(
        new DiameterRoutingError(
          `no peer for application ${route.applicationId} realm ${route.destinationRealm ?? '-'}`,
          known ? ResultCode.DIAMETER_UNABLE_TO_DELIVER : ResultCode.DIAMETER_REALM_NOT_SERVED,
        ),
      );
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

  private redirectTarget(answer: DiameterMessage): string | undefined {
    const hosts = (answer.avps.redirectHost as string[] | undefined) ?? [];
    for (const uri of hosts) {
      const parsed = parseDiameterUri(uri);
      // DEVIATION: only peers already in the peer table are followed (no dynamic connection).
      if (parsed && this.node.peer(parsed.host)) return parsed.host;
    }
    return undefined;
  }
}
