import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Destination, Flow, TransportProtocol } from '../../sip/transport/types.ts';

const PROTOCOLS: readonly TransportProtocol[] = ['udp', 'tcp', 'tls', 'ws', 'wss'];
const MAC_BYTES = 10;
/** Tokens verified or minted lately (one per UE flow, seen on each of its requests): no HMAC for them again. */
const VERIFIED_CACHE = 4096;

/** The key a flow is known by: the connection for stream transports, the NAT-ed address for UDP. */
export function flowKey(flow: Flow): string {
  if (flow.protocol !== 'udp' && flow.connectionId !== undefined)
    return `${flow.protocol}#${flow.connectionId}`;
  return `${flow.protocol}:${flow.remote.host}:${flow.remote.port}`;
}

/** Where to send to reach a UE over its flow (RFC 5626 §5.3): the same connection, or the NAT binding. */
export function flowDestination(flow: Flow): Destination {
  const d: Destination = { protocol: flow.protocol, host: flow.remote.host, port: flow.remote.port };
  if (flow.protocol === 'udp') d.local = { ...flow.local };
  else if (flow.connectionId !== undefined) d.connectionId = flow.connectionId;
  return d;
}

/**
 * RFC 5626 §5.2 flow tokens: the user part of the Path and Record-Route URIs this edge proxy
 * inserts names the flow a UE's requests came over (protocol, our address, the UE's address,
 * the connection), signed with an HMAC under a key of this instance so that nobody can forge
 * one to reach another flow ("the token MUST be ... integrity protected").
 */
export class FlowTokenCodec {
  private readonly key: Buffer;
  private readonly verified = new Map<string, Flow>();
  /** Tokens minted lately, by payload (one per UE flow, put in each of its requests). */
  private readonly minted = new Map<string, string>();

  constructor(key: Buffer = randomBytes(32)) {
    this.key = key;
  }

  /** base64url(MAC || payload): only unreserved characters, valid in a SIP URI user part. */
  encode(flow: Flow): string {
    const text = [
      PROTOCOLS.indexOf(flow.protocol),
      flow.local.host,
      flow.local.port,
      flow.remote.host,
      flow.remote.port,
      flow.connectionId ?? '',
    ].join('|');
    // The MAC is a function of the key and the payload: a flow's token is minted once.
    let token = this.minted.get(text);
    if (token === undefined) {
      const payload = Buffer.from(text, 'utf8');
      token = Buffer.concat([this.mac(payload), payload]).toString('base64url');
      if (this.minted.size >= VERIFIED_CACHE) this.minted.clear();
      this.minted.set(text, token);
    }
    return token;
  }

  /** The flow a token names; undefined for anything not minted here (or tampered with). */
  decode(token: string | undefined): Flow | undefined {
    if (!token) return undefined;
    const known = this.verified.get(token);
    if (known) return copyFlow(known);
    const flow = this.verify(token);
    if (flow) {
      if (this.verified.size >= VERIFIED_CACHE) this.verified.clear();
      this.verified.set(token, copyFlow(flow));
    }
    return flow;
  }

  private verify(token: string): Flow | undefined {
    if (!/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
    const raw = Buffer.from(token, 'base64url');
    if (raw.length <= MAC_BYTES) return undefined;
    const mac = raw.subarray(0, MAC_BYTES);
    const payload = raw.subarray(MAC_BYTES);
    if (!timingSafeEqual(mac, this.mac(payload))) return undefined;
    const parts = payload.toString('utf8').split('|');
    if (parts.length !== 6) return undefined;
    const protocol = PROTOCOLS[Number(parts[0])];
    if (!protocol) return undefined;
    const flow: Flow = {
      protocol,
      local: { host: parts[1]!, port: Number(parts[2]) },
      remote: { host: parts[3]!, port: Number(parts[4]) },
    };
    if (parts[5]) flow.connectionId = parts[5];
    return flow;
  }

  private mac(payload: Buffer): Buffer {
    return createHmac('sha256', this.key).update(payload).digest().subarray(0, MAC_BYTES);
  }
}

function copyFlow(f: Flow): Flow {
  const flow: Flow = { protocol: f.protocol, local: { ...f.local }, remote: { ...f.remote } };
  if (f.connectionId !== undefined) flow.connectionId = f.connectionId;
  return flow;
}
