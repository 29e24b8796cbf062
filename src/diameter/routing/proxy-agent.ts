import type { Logger } from '../../log/logger.ts';
import type { AvpValues, DiameterMessage } from '../codec/message.ts';
import { decodeMessage } from '../codec/message-decoder.ts';
import { encodeMessage } from '../codec/message-encoder.ts';
import { CommandFlag } from '../codec/raw-avp.ts';
import type { Dictionary } from '../dictionary/dictionary.ts';
import { ProxyPolicyError } from '../errors.ts';
import { isProtocolError } from '../result-code.ts';

/** A request a proxy is about to relay, as its policy sees it. */
export interface ProxiedRequest {
  /** The request as received, decoded with the node's dictionary (read it; return changes). */
  readonly message: DiameterMessage;
  /** Identity of the peer it came from. */
  readonly from: string;
  /** The peer routing picked for it; undefined when none is up. */
  readonly nextHop: string | undefined;
}

/** What to do with a request: relay it (changed, or to another peer), or answer it here. */
export type ProxyRequestDecision =
  | {
      action: 'forward';
      /** AVPs to set over the received ones; a key set to undefined removes that AVP. */
      avps?: AvpValues;
      /** Identity of the peer to relay to instead of the one routing picked. */
      peer?: string;
    }
  | { action: 'answer'; resultCode: number; errorMessage?: string };

/** An answer a proxy is about to relay back. */
export interface ProxiedAnswer {
  readonly message: DiameterMessage;
  /** The request as it was relayed (after the policy's changes). */
  readonly request: DiameterMessage;
  /** Identity of the peer that answered. */
  readonly from: string;
}

export interface ProxyAnswerDecision {
  /** AVPs to set over the answer's; a key set to undefined removes that AVP. */
  avps?: AvpValues;
}

/**
 * The policy of a proxy agent (RFC 6733 §2.8.2: proxies "make policy decisions relating to
 * resource usage and provisioning", and may modify messages to enforce them). Each hook may be
 * async; returning undefined relays the message unchanged.
 */
export interface ProxyPolicy {
  request?(
    request: ProxiedRequest,
  ): ProxyRequestDecision | undefined | Promise<ProxyRequestDecision | undefined>;
  answer?(answer: ProxiedAnswer): ProxyAnswerDecision | undefined | Promise<ProxyAnswerDecision | undefined>;
}

/** The request hook's outcome, in the dispatcher's terms. */
export type ProxyRequestOutcome =
  | { kind: 'forward'; bytes: Buffer; request: DiameterMessage; peer?: string }
  | { kind: 'answer'; resultCode: number; errorMessage?: string };

function patched(avps: AvpValues, changes: AvpValues): AvpValues {
  const out: AvpValues = { ...avps, ...changes };
  for (const key of Object.keys(changes)) if (changes[key] === undefined) delete out[key];
  return out;
}

/**
 * Runs a ProxyPolicy on the requests and answers a node relays. Unlike a relay (§2.8.1), a proxy
 * must understand the application: the request is decoded, and one the dictionary refuses is
 * answered with the decoder's Result-Code. Unchanged messages are relayed byte for byte; changed
 * ones are encoded again, their ABNF checked.
 */
export class ProxyAgent {
  constructor(
    private readonly policy: ProxyPolicy,
    private readonly dictionary: Dictionary,
    private readonly log: Logger,
  ) {}

  /** Throws DiameterDecodeError (request unreadable) or ProxyPolicyError. */
  async onRequest(bytes: Buffer, from: string, nextHop: string | undefined): Promise<ProxyRequestOutcome> {
    const message = decodeMessage(bytes, this.dictionary);
    let decision: ProxyRequestDecision | undefined;
    try {
      decision = await this.policy.request?.({ message, from, nextHop });
    } catch (err) {
      this.log.error({ err }, 'proxy request policy failed');
      throw new ProxyPolicyError('proxy policy failed', err);
    }
    if (decision?.action === 'answer') return { kind: 'answer', ...decision };
    const peer = decision?.peer;
    if (!decision?.avps) return { kind: 'forward', bytes, request: message, ...(peer ? { peer } : {}) };
    const request = { header: message.header, avps: patched(message.avps, decision.avps) };
    try {
      return {
        kind: 'forward',
        bytes: encodeMessage(request, this.dictionary),
        request,
        ...(peer ? { peer } : {}),
      };
    } catch (err) {
      this.log.error({ err }, 'proxy policy changes cannot be encoded');
      throw new ProxyPolicyError(`proxy policy changes cannot be encoded: ${(err as Error).message}`, err);
    }
  }

  /** The answer to relay back. Throws ProxyPolicyError; an unreadable answer is relayed as it is. */
  async onAnswer(bytes: Buffer, request: DiameterMessage, from: string): Promise<Buffer> {
    if (!this.policy.answer) return bytes;
    let message: DiameterMessage;
    try {
      message = decodeMessage(bytes, this.dictionary);
    } catch (err) {
      this.log.info({ err: (err as Error).message, from }, 'answer not readable: relayed without policy');
      return bytes;
    }
    let decision: ProxyAnswerDecision | undefined;
    try {
      decision = await this.policy.answer({ message, request, from });
    } catch (err) {
      this.log.error({ err }, 'proxy answer policy failed');
      throw new ProxyPolicyError('proxy policy failed', err);
    }
    if (!decision?.avps) return bytes;
    const avps = patched(message.avps, decision.avps);
    // RFC 6733 §7.1.3: the E bit goes with a protocol error (3xxx) Result-Code, and only then.
    let { flags } = message.header;
    if (typeof avps.resultCode === 'number') {
      flags = isProtocolError(avps.resultCode) ? flags | CommandFlag.Error : flags & ~CommandFlag.Error;
    }
    const error = (flags & CommandFlag.Error) !== 0;
    try {
      return encodeMessage({ header: { ...message.header, flags }, avps }, this.dictionary, { abnf: !error });
    } catch (err) {
      this.log.error({ err }, 'proxy policy changes to an answer cannot be encoded');
      throw new ProxyPolicyError(`proxy policy changes cannot be encoded: ${(err as Error).message}`, err);
    }
  }
}
