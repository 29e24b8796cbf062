/**
 * Drives a real baresip (Debian `baresip`, 1.0.0) as a SIP phone in tests, without a terminal
 * or a sound card. What was learned running it here:
 *
 * - Config dir per instance (`-f DIR`): `config`, `accounts`, `contacts`. We start it with an
 *   EMPTY accounts file and create the account over ctrl_tcp with `uanew <account line>` once
 *   we are connected: ctrl_tcp only sends events to connected clients, and an account from the
 *   accounts file registers before a client can connect, so REGISTER_OK would be missed.
 * - ctrl_tcp (`module_app ctrl_tcp.so`, `ctrl_tcp_listen 127.0.0.1:PORT`) speaks netstrings
 *   (`LEN:JSON,`) both ways. Command: `{"command":"dial","params":"sip:bob@ims.test",
 *   "token":"3"}`; response: `{"response":true,"ok":true,"data":"...","token":"3"}`; event:
 *   `{"event":true,"class":"register"|"call"|"application","type":"REGISTER_OK",
 *   "accountaor":"sip:alice@ims.test","direction":"incoming","peeruri":"...","id":"...",
 *   "param":"..."}`. Event types seen: REGISTERING, REGISTER_OK, REGISTER_FAIL, UNREGISTERING,
 *   CALL_INCOMING, CALL_RINGING, CALL_PROGRESS, CALL_ESTABLISHED, CALL_CLOSED, SHUTDOWN, EXIT.
 * - The commands (dial, accept, hangup, uanew) come from `menu.so`, which must be loaded as a
 *   module_app; `quit` is a core command.
 * - Headless audio: ALSA's `null` device is NOT paced (it runs at thousands of times real time:
 *   a 2 s call gave 33 minutes of recorded audio and a busy CPU). We play into `aubridge`
 *   (`audio_player aubridge,DEV`: a real-time thread) and always send a WAV with `aufile`
 *   (`audio_source aufile,FILE.wav`; silence when no WAV is given). aufile loads the whole file
 *   first and the source stops at its end: make it longer than the call.
 * - `sndfile.so` (an audio filter) records every call to `snd_path` as two files per call,
 *   `dump-<YYYY-MM-DD-hh-mm-ss>-enc.wav` (what we sent) and `...-dec.wav` (what we received,
 *   decoded), named by the second the call started: give each instance its own recordDir. The
 *   files are complete once CALL_CLOSED was emitted.
 * - It opens a TLS listener on its SIP port + 1 whatever the config says: both ports must be
 *   free, so the SIP port is chosen with port + 1 free too.
 * - `net_interface 127.0.0.1` keeps the SDP address (c=) on loopback rather than the host's
 *   address (`net_interface lo` fails: "could not get network address").
 * - Its first REGISTER has no Authorization; the digest username is `auth_user` (the IMS
 *   private identity) whatever the user part of the AOR is.
 * - `-t SECONDS` is a backstop quit: the process never outlives a test run even if stop() is
 *   never called.
 * - Its stdout says e.g. `alice@ims.test: {0/UDP/v4} 200 OK () [1 binding]` on registration.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, isBound } from './free-port.ts';
import { writeToneWav } from './tone.ts';
import { WatchedProcess } from './watched-process.ts';

export interface BaresipOptions {
  /** The public identity, e.g. `sip:alice@ims.test`. */
  aor: string;
  /** Digest username (the IMS private identity, e.g. `alice@ims.test`); default: none (user part). */
  authUser?: string;
  password: string;
  /** Where every request goes first, e.g. `sip:127.0.0.1:5060;transport=udp` (the P-CSCF). */
  outboundProxy: string;
  /** Our SIP port on 127.0.0.1 (port + 1 is taken too, for TLS); default: a free one. */
  sipPort?: number;
  /** SIP transport: sets `;transport=` on the outbound proxy URI. Default: as given there. */
  transport?: 'udp' | 'tcp';
  /** Microphone: this WAV file (8 kHz mono 16-bit is safest); default: silence. */
  audioSourceWav?: string;
  /** Records each call's sent and received audio (sndfile) into this directory. */
  recordDir?: string;
  /** answermode=auto: incoming calls are answered at once. */
  autoAnswer?: boolean;
  /** Registration interval asked for (Expires), seconds; default 600. */
  regint?: number;
  /** Audio codecs offered, default `PCMU,PCMA`. */
  audioCodecs?: string;
  /** Backstop: baresip quits by itself after this many seconds (`-t`); default 120. */
  maxLifetimeS?: number;
  /** Extra `key value` lines appended to the config file. */
  extraConfig?: Record<string, string>;
  /** A name for errors and logs; default: the AOR. */
  name?: string;
}

/** One ctrl_tcp event, e.g. `{ class: 'call', type: 'CALL_ESTABLISHED', peeruri: ... }`. */
export interface BaresipEvent {
  class: string;
  type: string;
  accountaor?: string;
  direction?: string;
  peeruri?: string;
  /** The call's id (the Call-ID). */
  id?: string;
  param?: string;
  /** The whole JSON object. */
  raw: Record<string, unknown>;
}

export interface BaresipResponse {
  ok: boolean;
  data: string;
}

/** Positions in the event list and the output; waits started from a cursor ignore older things. */
export interface BaresipCursor {
  events: number;
  output: number;
}

/** An event type (`'CALL_CLOSED'`), a regular expression on the output, or an event predicate. */
export type BaresipMatcher = string | RegExp | ((event: BaresipEvent) => boolean);

const DEFAULT_WAIT_MS = 10_000;

export class Baresip {
  readonly events: BaresipEvent[] = [];
  private readonly pending = new Map<string, (r: BaresipResponse) => void>();
  private nextToken = 1;
  private buffer = Buffer.alloc(0);

  constructor(
    readonly process: WatchedProcess,
    private readonly socket: Socket,
    readonly options: BaresipOptions,
    /** The temporary config directory (removed by stop()). */
    readonly configDir: string,
    readonly sipPort: number,
    readonly ctrlPort: number,
  ) {
    socket.on('data', (chunk) => this.receive(chunk));
    socket.on('error', () => undefined);
  }

  /** Everything baresip printed (stdout and stderr). */
  get output(): string {
    return this.process.output;
  }

  cursor(): BaresipCursor {
    return { events: this.events.length, output: this.process.output.length };
  }

  /**
   * Waits for an event (by type or predicate) or for output matching a RegExp, looking at what
   * arrived since `from` (default: since start). Resolves with the event or the match.
   */
  waitFor(
    matcher: string | ((event: BaresipEvent) => boolean),
    timeoutMs?: number,
    from?: BaresipCursor,
  ): Promise<BaresipEvent>;
  waitFor(matcher: RegExp, timeoutMs?: number, from?: BaresipCursor): Promise<RegExpMatchArray>;
  waitFor(
    matcher: BaresipMatcher,
    timeoutMs = DEFAULT_WAIT_MS,
    from: BaresipCursor = { events: 0, output: 0 },
  ): Promise<BaresipEvent | RegExpMatchArray> {
    if (matcher instanceof RegExp) return this.process.waitForOutput(matcher, timeoutMs, from.output);
    const test = typeof matcher === 'string' ? (e: BaresipEvent) => e.type === matcher : matcher;
    return this.process.waitUntil(
      () => this.events.slice(from.events).find(test),
      timeoutMs,
      `${this.process.name}: event ${typeof matcher === 'string' ? matcher : 'matching the predicate'}`,
    );
  }

  /** Waits for REGISTER_OK; rejects at once on REGISTER_FAIL (with its reason). */
  async registered(timeoutMs = DEFAULT_WAIT_MS, from?: BaresipCursor): Promise<void> {
    const event = await this.waitFor(
      (e) => e.type === 'REGISTER_OK' || e.type === 'REGISTER_FAIL',
      timeoutMs,
      from,
    );
    if (event.type === 'REGISTER_FAIL') {
      throw this.process.failure(`${this.process.name}: registration failed: ${event.param ?? ''}`);
    }
  }

  /** Sends one ctrl_tcp command and waits for its response. */
  command(command: string, params?: string, timeoutMs = DEFAULT_WAIT_MS): Promise<BaresipResponse> {
    const token = String(this.nextToken++);
    const json = JSON.stringify({ command, ...(params !== undefined ? { params } : {}), token });
    const body = Buffer.from(json, 'utf8');
    this.socket.write(Buffer.concat([Buffer.from(`${body.length}:`), body, Buffer.from(',')]));
    return new Promise<BaresipResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(token);
        reject(this.process.failure(`${this.process.name}: no response to "${command}" in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(token, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
  }

  /** Calls `uri` (e.g. `sip:bob@ims.test`); the call's progress comes as events. */
  async dial(uri: string): Promise<void> {
    await this.expectOk('dial', uri);
  }

  /** Answers the incoming call. */
  async answer(): Promise<void> {
    await this.expectOk('accept');
  }

  /** Hangs up the current call. */
  async hangup(): Promise<void> {
    await this.expectOk('hangup');
  }

  /** The `*-dec.wav` (received audio) files sndfile wrote, newest name last; [] without recordDir. */
  async recordings(): Promise<string[]> {
    const dir = this.options.recordDir;
    if (!dir) return [];
    const names = await readdir(dir).catch(() => [] as string[]);
    return names
      .filter((n) => n.endsWith('-dec.wav'))
      .sort()
      .map((n) => join(dir, n));
  }

  /** Quits (ctrl_tcp `quit`), kills it if still running after `graceMs`, removes the config dir. */
  async stop(graceMs = 3000): Promise<void> {
    await this.process.stop(async () => {
      if (!this.socket.destroyed) await this.command('quit', undefined, graceMs).catch(() => undefined);
    }, graceMs);
    this.socket.destroy();
    for (const resolve of this.pending.values()) resolve({ ok: false, data: 'stopped' });
    this.pending.clear();
    await rm(this.configDir, { recursive: true, force: true });
  }

  private async expectOk(command: string, params?: string): Promise<BaresipResponse> {
    const r = await this.command(command, params);
    if (!r.ok) throw this.process.failure(`${this.process.name}: "${command}" failed: ${r.data}`);
    return r;
  }

  /** Netstring framing: `LEN:JSON,`. */
  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const colon = this.buffer.indexOf(0x3a);
      if (colon < 0) return;
      const length = Number(this.buffer.subarray(0, colon).toString('ascii'));
      if (!Number.isInteger(length)) {
        this.process.output += `\n[ctrl_tcp: bad netstring ${this.buffer.subarray(0, 40).toString()}]\n`;
        this.buffer = Buffer.alloc(0);
        return;
      }
      if (this.buffer.length < colon + 1 + length + 1) return;
      const json = this.buffer.subarray(colon + 1, colon + 1 + length).toString('utf8');
      this.buffer = this.buffer.subarray(colon + 1 + length + 1);
      this.dispatch(json);
    }
  }

  private dispatch(json: string): void {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(json) as Record<string, unknown>;
    } catch {
      this.process.output += `\n[ctrl_tcp: not JSON: ${json}]\n`;
      return;
    }
    if (message.response === true) {
      const token = String(message.token ?? '');
      const resolve = this.pending.get(token);
      this.pending.delete(token);
      resolve?.({ ok: message.ok === true, data: String(message.data ?? '') });
      return;
    }
    if (message.event === true) {
      const text = (k: string) => (typeof message[k] === 'string' ? (message[k] as string) : undefined);
      this.events.push({
        class: text('class') ?? '',
        type: text('type') ?? '',
        accountaor: text('accountaor'),
        direction: text('direction'),
        peeruri: text('peeruri'),
        id: text('id'),
        param: text('param'),
        raw: message,
      });
      this.process.changed();
    }
  }
}

/** A free SIP port whose port + 1 (baresip's TLS listener) is free too. */
async function freeSipPort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await freePort();
    if (port < 65535 && !(await isBound('udp', port + 1)) && !(await isBound('tcp', port + 1))) return port;
  }
  throw new Error('baresip: no free port pair (SIP port and port + 1 for its TLS listener)');
}

function withTransport(uri: string, transport: 'udp' | 'tcp' | undefined): string {
  if (!transport) return uri;
  const bare = uri.replace(/;transport=[a-z]+/i, '');
  return `${bare};transport=${transport}`;
}

/** The account line (accounts file syntax) for `uanew`. */
export function accountLine(o: BaresipOptions): string {
  const params = [
    `<${o.aor}>`,
    ...(o.authUser ? [`auth_user=${o.authUser}`] : []),
    `auth_pass=${o.password}`,
    `outbound="${withTransport(o.outboundProxy, o.transport)}"`,
    `answermode=${o.autoAnswer ? 'auto' : 'manual'}`,
    `audio_codecs=${o.audioCodecs ?? 'PCMU,PCMA'}`,
    `regint=${o.regint ?? 600}`,
    // No MWI SUBSCRIBE nor PUBLISH: only REGISTER and calls on the wire.
    'mwi=no',
    'pubint=0',
  ];
  return params.join(';');
}

function configFile(o: BaresipOptions, sipPort: number, ctrlPort: number, sourceWav: string): string {
  const playerDevice = `play-${sipPort}`;
  const lines: [string, string][] = [
    ['poll_method', 'epoll'],
    ['sip_listen', `127.0.0.1:${sipPort}`],
    ['net_interface', '127.0.0.1'],
    ['call_local_timeout', '30'],
    ['call_max_calls', '4'],
    ['audio_buffer', '40'],
    ['audio_player', `aubridge,${playerDevice}`],
    ['audio_alert', `aubridge,${playerDevice}-alert`],
    ['audio_source', `aufile,${sourceWav}`],
    ['ausrc_srate', '8000'],
    ['auplay_srate', '8000'],
    ['ausrc_channels', '1'],
    ['auplay_channels', '1'],
    ['rtcp_mux', 'no'],
    // Media ports kept out of the range test/interop/helpers/free-port.ts picks SIP ports from.
    ['rtp_ports', '10000-20000'],
    ['jitter_buffer_delay', '1-10'],
    ['module_path', '/usr/lib/baresip/modules'],
    ['module', 'g711.so'],
    ['module', 'aubridge.so'],
    ['module', 'aufile.so'],
    ...(o.recordDir ? ([['module', 'sndfile.so']] as [string, string][]) : []),
    ['module_app', 'menu.so'],
    ['module_app', 'ctrl_tcp.so'],
    ['ctrl_tcp_listen', `127.0.0.1:${ctrlPort}`],
    ...(o.recordDir ? ([['snd_path', o.recordDir]] as [string, string][]) : []),
    ...Object.entries(o.extraConfig ?? {}),
  ];
  return `${lines.map(([k, v]) => `${k}\t\t${v}`).join('\n')}\n`;
}

async function connectCtrl(port: number, process: WatchedProcess, timeoutMs: number): Promise<Socket> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await new Promise<Socket>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1');
        socket.once('connect', () => {
          socket.off('error', reject);
          resolve(socket);
        });
        socket.once('error', reject);
      });
    } catch (err) {
      if (process.exit) throw process.failure(`${process.name}: exited before ctrl_tcp was up`);
      if (Date.now() > deadline) {
        throw process.failure(
          `${process.name}: ctrl_tcp 127.0.0.1:${port} not up: ${(err as Error).message}`,
        );
      }
      await sleep(50);
    }
  }
}

/**
 * Starts baresip with its own temporary config, connects to its ctrl_tcp and creates the
 * account (registration starts at once: await `registered()`).
 */
export async function startBaresip(options: BaresipOptions): Promise<Baresip> {
  const configDir = await mkdtemp(join(tmpdir(), 'ims-baresip-'));
  const sipPort = options.sipPort ?? (await freeSipPort());
  const ctrlPort = await freePort('127.0.0.1', [sipPort, sipPort + 1]);
  const lifetimeS = options.maxLifetimeS ?? 120;
  // Without a WAV to send, a silent one as long as the process may live: a real-time source
  // (ALSA's null device runs free, at thousands of times real time, filling CPU and recordings).
  const sourceWav =
    options.audioSourceWav ??
    (await writeToneWav(join(configDir, 'silence.wav'), { frequency: 0, seconds: lifetimeS }));
  await writeFile(join(configDir, 'config'), configFile(options, sipPort, ctrlPort, sourceWav));
  await writeFile(join(configDir, 'accounts'), '');
  await writeFile(join(configDir, 'contacts'), '');
  const name = options.name ?? `baresip ${options.aor}`;
  const process = new WatchedProcess(name, 'baresip', ['-f', configDir, '-t', String(lifetimeS)], {
    cwd: configDir,
  });
  let socket: Socket | undefined;
  try {
    socket = await connectCtrl(ctrlPort, process, 5000);
    const phone = new Baresip(process, socket, options, configDir, sipPort, ctrlPort);
    const r = await phone.command('uanew', accountLine(options));
    if (!r.ok) throw process.failure(`${name}: uanew failed: ${r.data}`);
    return phone;
  } catch (err) {
    socket?.destroy();
    await process.stop(() => process.signal('SIGTERM'), 1000);
    await rm(configDir, { recursive: true, force: true });
    throw err;
  }
}
