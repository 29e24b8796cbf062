import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMessage, type SipRequest, SipResponse } from '../../../src/sip/message/index.ts';
import {
  type CertificatePems,
  ensureSelfSignedCertificate,
  type IncomingMessage,
  SipTransportLayer,
  type TransportOptionsInput,
} from '../../../src/sip/transport/index.ts';

export const CRLF = '\r\n';

/** A request as a UA would send it; `via` is the whole Via value. */
export function requestText(opts: { method?: string; via: string; body?: string; callId?: string }): string {
  const method = opts.method ?? 'OPTIONS';
  const body = opts.body ?? '';
  return [
    `${method} sip:bob@ims.test SIP/2.0`,
    `Via: ${opts.via}`,
    'Max-Forwards: 70',
    'From: <sip:alice@ims.test>;tag=a1',
    'To: <sip:bob@ims.test>',
    `Call-ID: ${opts.callId ?? 'call-1@test'}`,
    `CSeq: 1 ${method}`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join(CRLF);
}

/** A 200 answering a parsed request, as a transaction user would build it. */
export function okFor(request: SipRequest): SipResponse {
  const r = new SipResponse(200, 'OK');
  for (const v of request.headers.values('Via')) r.headers.append('Via', v);
  r.headers.append('From', request.headers.get('From')!);
  r.headers.append('To', `${request.headers.get('To')!};tag=b2`);
  r.headers.append('Call-ID', request.callId);
  r.headers.append('CSeq', request.headers.get('CSeq')!);
  return r;
}

/** Collects what a layer delivers; `next()` waits for the following message. */
export class Inbox {
  readonly messages: IncomingMessage[] = [];
  private waiters: ((m: IncomingMessage) => void)[] = [];

  constructor(layer: SipTransportLayer) {
    layer.onMessage((m) => {
      const w = this.waiters.shift();
      if (w) w(m);
      else this.messages.push(m);
    });
  }

  next(timeoutMs = 5000): Promise<IncomingMessage> {
    const m = this.messages.shift();
    if (m) return Promise.resolve(m);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no message received')), timeoutMs);
      this.waiters.push((x) => {
        clearTimeout(timer);
        resolve(x);
      });
    });
  }
}

export function start(input: TransportOptionsInput): Promise<SipTransportLayer> {
  return SipTransportLayer.start(input);
}

/** The port a layer bound for a protocol (first listener of it). */
export function portOf(layer: SipTransportLayer, protocol: string): number {
  const l = layer.listening().find((x) => x.protocol === protocol);
  if (!l) throw new Error(`no ${protocol} listener`);
  return l.port;
}

/** Polls until `check` holds (no fixed sleeps: the CI machine is slow). */
export async function eventually(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Everything a socket (or WebSocket) receives, with a wait for what is expected. */
export class Received {
  text = '';
  private wake: (() => void) | undefined;

  constructor(
    source: { on(event: 'data' | 'message', f: (chunk: Buffer) => void): unknown },
    event = 'data',
  ) {
    source.on(event as 'data', (chunk: Buffer) => {
      this.text += Buffer.from(chunk).toString('latin1');
      this.wake?.();
    });
  }

  async until(done: (text: string) => boolean, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.text)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; received ${JSON.stringify(this.text)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 100));
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.text;
  }
}

export const parse = (text: string) => parseMessage(Buffer.from(text, 'latin1'));

/** A throw-away demo certificate for localhost and 127.0.0.1 (generated once per process). */
let certPromise: Promise<{ pems: CertificatePems; dir: string }> | undefined;
export function testCertificate(): Promise<{ pems: CertificatePems; dir: string }> {
  certPromise ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sip-tls-'));
    const pems = await ensureSelfSignedCertificate(dir, ['localhost', 'sip.ims.test', '127.0.0.1']);
    return { pems, dir };
  })();
  return certPromise;
}

export async function removeCertificate(): Promise<void> {
  if (certPromise) await rm((await certPromise).dir, { recursive: true, force: true });
  certPromise = undefined;
}
