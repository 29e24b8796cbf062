/**
 * A Kamailio (Debian `kamailio`, 5.6) registrar and record-routing proxy on a free port, the
 * stand-in server the real-client drivers (baresip, linphonec) are validated against before our
 * P-CSCF is. Config: test/interop/kamailio/registrar.cfg (read its header). What was learned:
 *
 * - Run in the foreground with logs on stderr: `-DD -E`; `-Y DIR` (runtime dir) and `-P FILE`
 *   per instance so several can run at once without root paths; `-m 32 -M 4` (MB of shared and
 *   private memory) is plenty. `-A NAME=VALUE` sets a `#!define` (listen sockets, realm).
 * - Passwords: an htable filled in `event_route[htable:mod-init]`, a block we append to a copy
 *   of the config (no DB). `$aU` is the WHOLE digest username (`alice@ims.test`); `$au` is only
 *   its user part (`alice`). `pv_www_authenticate` computes HA1 over the whole username.
 * - "Listening on" is printed before the workers are up, so ready() waits for that and then for
 *   the UDP and TCP ports to be bound.
 * - Our script logs one `IMSTEST ...` line per registration, challenge and routed request (xlog
 *   L_NOTICE): tests assert on them (`log(pattern)`, `waitForLog`).
 */
import { createSocket } from 'node:dgram';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { WatchedProcess } from './watched-process.ts';

export const KAMAILIO_CONFIG = new URL('../kamailio/registrar.cfg', import.meta.url).pathname;

export interface KamailioUser {
  /** The digest username (IMS private identity), e.g. `alice@ims.test`; it must equal `<To user>@<To domain>`. */
  username: string;
  password: string;
}

export interface KamailioRegistrarOptions {
  users: KamailioUser[];
  /** Default: a free port (UDP and TCP). */
  port?: number;
  /** Digest realm; default `ims.test`. */
  realm?: string;
}

export class KamailioRegistrar {
  constructor(
    readonly process: WatchedProcess,
    readonly port: number,
    private readonly dir: string,
  ) {}

  /** `sip:127.0.0.1:PORT;transport=udp|tcp`: what the phones take as their outbound proxy. */
  uri(transport: 'udp' | 'tcp' = 'udp'): string {
    return `sip:127.0.0.1:${this.port};transport=${transport}`;
  }

  /** Kamailio's whole log so far. */
  get output(): string {
    return this.process.output;
  }

  /** The `IMSTEST ...` lines logged so far (without the prefix), optionally filtered. */
  log(pattern?: RegExp): string[] {
    const lines = [...this.process.output.matchAll(/IMSTEST (.*)/g)].map((m) => m[1] ?? '');
    return pattern ? lines.filter((l) => pattern.test(l)) : lines;
  }

  /** Waits for an `IMSTEST` line matching `pattern` (from output offset `from`). */
  waitForLog(pattern: RegExp, timeoutMs = 10_000, from = 0): Promise<string> {
    return this.process.waitUntil(
      () =>
        this.process.output
          .slice(from)
          .split('\n')
          .find((l) => l.includes('IMSTEST ') && pattern.test(l)),
      timeoutMs,
      `kamailio: log line ${pattern}`,
    );
  }

  async stop(): Promise<void> {
    await this.process.stop(() => this.process.signal('SIGTERM'), 3000);
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * Polls with an OPTIONS over UDP until Kamailio answers (its workers are up). Probing by binding
 * the port ourselves could steal it from Kamailio while it starts.
 */
async function answersOptions(process: WatchedProcess, port: number, timeoutMs: number): Promise<void> {
  const socket = createSocket('udp4');
  let answered = false;
  socket.on('message', (m) => {
    if (/^SIP\/2\.0 200 /.test(m.toString('utf8'))) answered = true;
    process.changed();
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const local = socket.address().port;
  let n = 0;
  const send = () => {
    n++;
    const request = [
      `OPTIONS sip:127.0.0.1:${port} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bK-probe-${n}-${Date.now()}`,
      'Max-Forwards: 70',
      `From: <sip:probe@127.0.0.1>;tag=probe${n}`,
      `To: <sip:127.0.0.1:${port}>`,
      `Call-ID: probe-${n}-${Date.now()}@127.0.0.1`,
      'CSeq: 1 OPTIONS',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    socket.send(request, port, '127.0.0.1');
  };
  const timer = setInterval(send, 100);
  send();
  try {
    await process.waitUntil(
      () => (answered ? true : undefined),
      timeoutMs,
      `kamailio: OPTIONS to port ${port}`,
    );
  } finally {
    clearInterval(timer);
    socket.close();
  }
}

function quote(value: string): string {
  if (/["\\\n]/.test(value)) throw new Error(`kamailio: unsupported character in ${JSON.stringify(value)}`);
  return `"${value}"`;
}

/** Starts Kamailio with the users provisioned; resolves once it listens on UDP and TCP. */
export async function startKamailioRegistrar(options: KamailioRegistrarOptions): Promise<KamailioRegistrar> {
  const dir = await mkdtemp(join(tmpdir(), 'ims-kamailio-'));
  const port = options.port ?? (await freePort());
  const config = join(dir, 'kamailio.cfg');
  await copyFile(KAMAILIO_CONFIG, config);
  const users = options.users.map((u) => `\t$sht(users=>${u.username}) = ${quote(u.password)};`).join('\n');
  await writeFile(config, `${await readFile(config, 'utf8')}\nevent_route[htable:mod-init] {\n${users}\n}\n`);
  const process = new WatchedProcess(
    'kamailio',
    'kamailio',
    [
      '-f',
      config,
      '-DD',
      '-E',
      '-Y',
      dir,
      '-P',
      join(dir, 'kamailio.pid'),
      '-m',
      '32',
      '-M',
      '4',
      '-A',
      `KAM_LISTEN_UDP=udp:127.0.0.1:${port}`,
      '-A',
      `KAM_LISTEN_TCP=tcp:127.0.0.1:${port}`,
      '-A',
      `KAM_REALM=${quote(options.realm ?? 'ims.test')}`,
    ],
    { cwd: dir },
  );
  const registrar = new KamailioRegistrar(process, port, dir);
  try {
    await process.waitForOutput(/Listening on/, 10_000);
    await answersOptions(process, port, 5000);
    return registrar;
  } catch (err) {
    await registrar.stop();
    throw err;
  }
}
