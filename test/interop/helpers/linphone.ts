/**
 * Drives a real linphonec (Debian `linphone-cli`, liblinphone 5.1.65) as a SIP phone in tests:
 * commands on its stdin, assertions on what it prints. What was learned running it here:
 *
 * - Plain stdin works (readline reads a pipe; its event hook keeps the core iterating). Do NOT use
 *   `--pipe`: it also opens a unix socket `linphonec-<uid>` shared by every instance of the user,
 *   and `quit` then hangs for ever in the socket reader's join (even SIGTERM does not end it).
 * - HOME must point to a directory with `.local/share/linphone/` existing: without it the core
 *   fails to open its SQLite database and silently never starts (no REGISTER, nothing logged
 *   after "Unable to open linphone database"). We give each instance its own temporary HOME.
 * - Config file (`-c FILE`, linphonerc syntax): `[sip] sip_port`, `sip_tcp_port` (0: none),
 *   `sip_tls_port=0`, `default_proxy=0`; `[proxy_0] reg_proxy=<sip:host:port;transport=udp>`,
 *   `reg_route=<sip:host:port;transport=udp;lr>` (else calls to sip:x@ims.test go to ims.test by
 *   DNS, not through the proxy), `reg_identity`, `reg_expires`, `reg_sendregister=1`, `publish=0`; `[auth_info_0]
 *   username=<user part of the identity> userid=<digest username, e.g. alice@ims.test>
 *   passwd realm domain`: the digest goes out with username="alice@ims.test" (userid), and the
 *   auth info is found through `username` + realm. `[rtp] audio_rtp_port=MIN-MAX`.
 * - No sound card: the command `soundcard use files` ("Using wav files instead of soundcard.")
 *   switches to the file player/recorder (paced in real time by mediastreamer's ticker); then
 *   `play FILE.wav` / `record FILE.wav` choose what is sent and where what is received goes.
 *   Without a file it sends silence. ALSA/Pulse errors in the log are harmless.
 * - `-a` auto-answers ("-------auto answering to call-------"). `-d 6` without `-l` puts the
 *   full log (every SIP message, state changes) on stdout, which we parse:
 *   `Account [...] for identity [sip:bob@ims.test] moving from state [LinphoneRegistrationProgress]
 *   to [LinphoneRegistrationOk]` (or `...Failed`). Its own console lines: `Receiving new incoming
 *   call from <sip:alice@ims.test>, assigned id 1`, `Call 1 to <uri> ringing.`, `Call 1 with <uri>
 *   connected.`, `Media streams established with <uri> for call 1 (audio).`, `Call 1 with <uri>
 *   ended (<reason>).`; `status register` answers `registered, identity=... duration=600`.
 * - `quit` terminates calls, un-REGISTERs (Expires 0) and exits within about a second.
 * - It sends `Supported: outbound, gruu` and a `+sip.instance` Contact parameter; Kamailio then
 *   returns pub-gruu/temp-gruu.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { WatchedProcess } from './watched-process.ts';

export interface LinphoneOptions {
  /** The public identity, e.g. `sip:bob@ims.test`. */
  aor: string;
  /** Digest username (the IMS private identity, e.g. `bob@ims.test`); default: the user part. */
  authUser?: string;
  password: string;
  /** Digest realm; default: the AOR's domain. */
  realm?: string;
  /** The registrar/outbound proxy, e.g. `sip:127.0.0.1:5060;transport=udp` (the P-CSCF). */
  proxy: string;
  /** Our SIP port on all interfaces; default: a free one. */
  sipPort?: number;
  /** `-a`: answer incoming calls at once. */
  autoAnswer?: boolean;
  /** Send this WAV as the microphone (mono 16-bit; 8 kHz for G.711). */
  playWav?: string;
  /** Record the received audio into this WAV file. */
  recordWav?: string;
  /** Registration expiry asked for, seconds; default 600. */
  expires?: number;
  /** A name for errors; default: the AOR. */
  name?: string;
}

/** Positions in the output: waits started from a cursor ignore what was printed before. */
export type LinphoneCursor = number;

const DEFAULT_WAIT_MS = 10_000;

export class Linphone {
  constructor(
    readonly process: WatchedProcess,
    readonly options: LinphoneOptions,
    /** The temporary HOME and config directory (removed by stop()). */
    readonly home: string,
    readonly sipPort: number,
  ) {}

  /** Everything linphonec printed (console lines and its -d 6 log). */
  get output(): string {
    return this.process.output;
  }

  cursor(): LinphoneCursor {
    return this.process.output.length;
  }

  /** Waits for output (from `from`, default: since start) matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs = DEFAULT_WAIT_MS, from: LinphoneCursor = 0): Promise<RegExpMatchArray> {
    return this.process.waitForOutput(pattern, timeoutMs, from);
  }

  /** Waits until the account is registered; rejects at once when the registration failed. */
  async registered(timeoutMs = DEFAULT_WAIT_MS, from: LinphoneCursor = 0): Promise<void> {
    const m = await this.waitFor(/to \[LinphoneRegistration(Ok|Failed)\]/, timeoutMs, from);
    if (m[1] === 'Failed') throw this.process.failure(`${this.process.name}: registration failed`);
  }

  /** Sends one console command line. */
  command(line: string): void {
    this.process.writeLine(line);
  }

  /** Calls `uri`; resolves once linphonec took the call (`Establishing call id to ...`). */
  async call(uri: string, timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    const from = this.cursor();
    this.command(`call ${uri}`);
    await this.waitFor(/Establishing call id to .*, assigned id \d+/, timeoutMs, from);
  }

  /** Answers the incoming call (without -a). */
  answer(): void {
    this.command('answer');
  }

  /** Ends the current call. */
  terminate(): void {
    this.command('terminate');
  }

  /** Waits for `Call N with ... connected.` (from `from`). */
  connected(timeoutMs = DEFAULT_WAIT_MS, from: LinphoneCursor = 0): Promise<RegExpMatchArray> {
    return this.waitFor(/Call \d+ with .* connected\./, timeoutMs, from);
  }

  /** Waits for `Call N with ... ended (reason).`; resolves with the reason. */
  async ended(timeoutMs = DEFAULT_WAIT_MS, from: LinphoneCursor = 0): Promise<string> {
    const m = await this.waitFor(/Call \d+ with .* ended \(([^)]*)\)\./, timeoutMs, from);
    return m[1] ?? '';
  }

  /** `quit` (ends calls, un-registers), SIGTERM then SIGKILL if it lingers; removes its HOME. */
  async stop(graceMs = 3000): Promise<void> {
    await this.process.stop(() => this.process.writeLine('quit'), graceMs);
    await rm(this.home, { recursive: true, force: true });
  }
}

function userPart(aor: string): string {
  const m = aor.match(/^sips?:([^@;>]+)@/);
  if (!m?.[1]) throw new Error(`linphone: the AOR ${aor} has no user part`);
  return m[1];
}

function domainPart(aor: string): string {
  const m = aor.match(/@([^;>:]+)/);
  if (!m?.[1]) throw new Error(`linphone: the AOR ${aor} has no domain`);
  return m[1];
}

function withLr(uri: string): string {
  return /;lr\b/.test(uri) ? uri : `${uri};lr`;
}

function linphonerc(o: LinphoneOptions, sipPort: number): string {
  const transport = o.proxy.match(/;transport=([a-z]+)/i)?.[1]?.toLowerCase() ?? 'udp';
  const sections: Record<string, Record<string, string | number>> = {
    sip: {
      sip_port: transport === 'udp' ? sipPort : 0,
      sip_tcp_port: transport === 'tcp' ? sipPort : 0,
      sip_tls_port: 0,
      default_proxy: 0,
      // Listen on IPv4 only (the default binds [::0]).
      use_ipv6: 0,
    },
    // Kept out of the range test/interop/helpers/free-port.ts picks SIP ports from.
    rtp: { audio_rtp_port: '10000-15000', video_rtp_port: '15002-20000' },
    video: { enabled: 0, capture: 0, display: 0, show_local: 0 },
    auth_info_0: {
      username: userPart(o.aor),
      userid: o.authUser ?? userPart(o.aor),
      passwd: o.password,
      realm: o.realm ?? domainPart(o.aor),
      domain: domainPart(o.aor),
    },
    proxy_0: {
      reg_proxy: `<${o.proxy}>`,
      // Outbound proxy: without a route, requests to another domain (sip:alice@ims.test) are
      // sent to that domain (DNS) rather than through the registrar.
      reg_route: `<${withLr(o.proxy)}>`,
      reg_identity: o.aor,
      reg_expires: o.expires ?? 600,
      reg_sendregister: 1,
      publish: 0,
    },
  };
  return Object.entries(sections)
    .map(
      ([name, keys]) =>
        `[${name}]\n${Object.entries(keys)
          .map(([k, v]) => `${k}=${v}`)
          .join('\n')}\n`,
    )
    .join('\n');
}

/** Starts linphonec with its own HOME and config; registration starts at once (await registered()). */
export async function startLinphone(options: LinphoneOptions): Promise<Linphone> {
  const home = await mkdtemp(join(tmpdir(), 'ims-linphone-'));
  // Without this directory the core cannot open its database and never starts.
  await mkdir(join(home, '.local', 'share', 'linphone'), { recursive: true });
  const sipPort = options.sipPort ?? (await freePort());
  const config = join(home, 'linphonerc');
  await writeFile(config, linphonerc(options, sipPort));
  const args = ['-c', config, '-d', '6', ...(options.autoAnswer ? ['-a'] : [])];
  const env = {
    ...process.env,
    HOME: home,
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CONFIG_HOME: join(home, '.config'),
    TERM: 'dumb',
  };
  const child = new WatchedProcess(options.name ?? `linphonec ${options.aor}`, 'linphonec', args, {
    cwd: home,
    env,
  });
  const phone = new Linphone(child, options, home, sipPort);
  try {
    await phone.waitFor(/linphonec> /, 10_000);
    const from = phone.cursor();
    phone.command('soundcard use files');
    await phone.waitFor(/Using wav files instead of soundcard/, 5000, from);
    if (options.playWav) phone.command(`play ${options.playWav}`);
    if (options.recordWav) phone.command(`record ${options.recordWav}`);
    return phone;
  } catch (err) {
    await phone.stop(1000);
    throw err;
  }
}
