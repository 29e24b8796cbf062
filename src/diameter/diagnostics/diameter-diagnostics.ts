import { channel } from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import { type DiameterHeader, isRequest, readHeader } from '../codec/header.ts';
import { CommandFlag } from '../codec/raw-avp.ts';
import type { Dictionary } from '../dictionary/dictionary.ts';
import { scanResultCode } from '../routing/raw-message.ts';

// Like undici's `undici:request:*`, the library publishes what happens on named
// node:diagnostics_channel channels and never depends on a metrics library: a metrics module
// (prom-client, OpenTelemetry) subscribes and turns the events into counters and histograms.

/** The channels a Diameter node publishes on. */
export const DiameterChannel = {
  /** A request was sent to a peer (`direction: 'out'`) or received from one (`'in'`). */
  request: 'ims:diameter:request',
  /** An answer was received to one of our requests (`'in'`) or sent to a peer (`'out'`). */
  answer: 'ims:diameter:answer',
  /** A request of ours ended without an answer (timeout on every peer tried, node closing, no peer). */
  failure: 'ims:diameter:failure',
  /** A peer became usable for requests, or stopped being usable. */
  peer: 'ims:diameter:peer',
} as const;

interface CommandFields {
  /** Origin-Host of the publishing node (several nodes may share a process). */
  node: string;
  /** Diameter identity of the peer the message went to or came from. */
  peer: string;
  direction: 'in' | 'out';
  applicationId: number;
  commandCode: number;
  /** The request's abbreviation from the dictionary ('UAR'), else the command code as text. */
  command: string;
  hopByHopId: number;
  endToEndId: number;
}

export interface DiameterRequestEvent extends CommandFields {
  /** The T flag: a retransmission after a failover (RFC 6733 §3). */
  retransmitted: boolean;
}

export interface DiameterAnswerEvent extends CommandFields {
  /** Result-Code, or Experimental-Result-Code when the answer carries that instead. */
  resultCode: number | undefined;
  experimental: boolean;
  /** The E bit (protocol error, RFC 6733 §7.1.3). */
  error: boolean;
  /** From the first sending of the request (or its arrival, for answers we send), ms. */
  durationMs: number;
}

export interface DiameterFailureEvent extends Omit<CommandFields, 'direction' | 'peer'> {
  /** The last peer the request went to; undefined when routing found none. */
  peer: string | undefined;
  /** The stable `code` of the error the request failed with (ERR_DIAMETER_TIMEOUT, ERR_DIAMETER_ROUTING, ...). */
  reason: string;
  durationMs: number;
}

export interface DiameterPeerEvent {
  node: string;
  peer: string;
  usable: boolean;
  /** RFC 6733 §5.6 state of the peer. */
  state: string;
}

const requestChannel = channel(DiameterChannel.request);
const answerChannel = channel(DiameterChannel.answer);
const failureChannel = channel(DiameterChannel.failure);
const peerChannel = channel(DiameterChannel.peer);

type Header = Omit<DiameterHeader, 'version' | 'length'>;

/**
 * Publishes one node's traffic on the DiameterChannel channels. Each method returns at once when
 * nobody subscribes, so an unobserved node pays nothing but a property read.
 */
export class DiameterDiagnostics {
  constructor(
    private readonly node: string,
    private readonly dictionary: Dictionary,
  ) {}

  /** A timestamp for `durationMs` (monotonic clock). */
  now(): number {
    return performance.now();
  }

  request(direction: 'in' | 'out', peer: string, header: Header): void {
    if (!requestChannel.hasSubscribers) return;
    const event: DiameterRequestEvent = {
      ...this.fields(direction, peer, header),
      retransmitted: (header.flags & CommandFlag.Retransmitted) !== 0,
    };
    requestChannel.publish(event);
  }

  /** An answer (`bytes`, one whole message) to a request first sent or received at `startedAt`. */
  answer(direction: 'in' | 'out', peer: string, bytes: Buffer, startedAt: number): void {
    if (!answerChannel.hasSubscribers) return;
    let header: DiameterHeader;
    try {
      header = readHeader(bytes);
    } catch {
      return;
    }
    if (isRequest(header)) return;
    const result = scanResultCode(bytes, header);
    const event: DiameterAnswerEvent = {
      ...this.fields(direction, peer, header),
      resultCode: result?.code,
      experimental: result?.experimental ?? false,
      error: (header.flags & CommandFlag.Error) !== 0,
      durationMs: performance.now() - startedAt,
    };
    answerChannel.publish(event);
  }

  failure(peer: string | undefined, header: Header, reason: string, startedAt: number): void {
    if (!failureChannel.hasSubscribers) return;
    const { direction: _, ...fields } = this.fields('out', peer ?? '', header);
    const event: DiameterFailureEvent = {
      ...fields,
      peer,
      reason,
      durationMs: performance.now() - startedAt,
    };
    failureChannel.publish(event);
  }

  peer(peer: string, usable: boolean, state: string): void {
    if (!peerChannel.hasSubscribers) return;
    const event: DiameterPeerEvent = { node: this.node, peer, usable, state };
    peerChannel.publish(event);
  }

  private fields(direction: 'in' | 'out', peer: string, header: Header): CommandFields {
    const command = this.dictionary.command(header.applicationId, header.commandCode);
    return {
      node: this.node,
      peer,
      direction,
      applicationId: header.applicationId,
      commandCode: header.commandCode,
      command: command?.def.abbreviations[0] ?? String(header.commandCode),
      hopByHopId: header.hopByHopId,
      endToEndId: header.endToEndId,
    };
  }
}
