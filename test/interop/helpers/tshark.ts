/**
 * Captures loopback traffic on our ports with tshark (Debian `tshark`, Wireshark 4.0) and decodes
 * the capture: malformed or expert-flagged SIP/Diameter frames, the SIP methods and status codes
 * seen, the Diameter commands seen. What was learned running it here:
 *
 * - Capture with `dumpcap` (tshark's own capture engine, same package), not `tshark -w`: tshark
 *   runs dumpcap as a child and, on SIGINT, may exit BEFORE dumpcap has flushed the file, so a
 *   reader started at once missed the last frames (a run lost the BYE and the un-REGISTERs).
 *   `dumpcap -i lo -f 'port A or port B' -w FILE -a duration:N -q` prints `Capturing on
 *   'Loopback: lo'` on stderr once it captures (wait for it before sending traffic); on SIGINT
 *   it writes the rest and closes the file before exiting.
 * - Ports other than 5060/3868 need `-d udp.port==P,sip` / `-d tcp.port==P,diameter` when READING
 *   the capture (decode-as is a read-time option; the capture itself is raw).
 * - `-Y '_ws.malformed || (_ws.expert && (sip || diameter))'` lists malformed frames and frames
 *   with expert info: 0 frames is the pass. `_ws.expert.severity` tells a note from an error.
 * - `-T fields -E separator=/t -e ...` gives one line per frame; a field with several values
 *   (e.g. several Diameter messages in one TCP segment) is comma-separated.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { freePort } from './free-port.ts';
import { WatchedProcess } from './watched-process.ts';

export interface DecodeAs {
  proto: 'udp' | 'tcp';
  port: number;
  as: 'sip' | 'diameter';
}

export interface CaptureOptions {
  /** Traffic to or from any of these ports is captured (both UDP and TCP). */
  ports: number[];
  /** The pcapng file written. */
  file: string;
  /** Decoding hints kept with the capture for the readers below. */
  decodeAs?: DecodeAs[];
  /** Backstop: tshark stops by itself after this many seconds; default 60. */
  maxSeconds?: number;
  /** Interface; default `lo`. */
  interface?: string;
}

export class Capture {
  constructor(
    readonly process: WatchedProcess,
    readonly options: CaptureOptions,
    /** A UDP socket of ours on a captured port, for the end-of-capture marker. */
    private readonly marker: { socket: Socket; port: number },
  ) {}

  get file(): string {
    return this.options.file;
  }

  /**
   * Ends the capture once everything sent so far is in the file, then SIGINT (dumpcap writes
   * the rest and closes the file; SIGKILL after 7 s). dumpcap gets loopback packets from the
   * kernel in blocks, up to about a second late, and what the kernel still holds at SIGINT is
   * lost (a run lost the BYE of a quick call): a marker datagram to our own captured port is
   * sent, and the capture is complete up to there once the file holds it (10 s at most).
   */
  async stop(): Promise<void> {
    if (this.process.describeExit() === 'running') {
      const text = `capture-marker-${randomUUID()}`;
      this.marker.socket.send(text, this.marker.port, '127.0.0.1');
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && !readFileOrEmpty(this.file).includes(text))
        await new Promise((r) => setTimeout(r, 50));
    }
    try {
      this.marker.socket.close();
    } catch {
      // already closed
    }
    await this.process.stop(() => this.process.signal('SIGINT'), 5000);
  }
}

function readFileOrEmpty(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch {
    return Buffer.alloc(0);
  }
}

/** The marker port of a capture file (kept beside it), whose frames the readers leave out. */
function markerPort(file: string): number | undefined {
  const side = `${file}.marker-port`;
  return existsSync(side) ? Number(readFileSync(side, 'utf8')) : undefined;
}

/** Starts dumpcap; resolves once it captures (`Capturing on ...`). */
export async function startCapture(options: CaptureOptions): Promise<Capture> {
  if (options.ports.length === 0) throw new Error('tshark: no port to capture');
  const port = await freePort();
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', resolve));
  socket.unref();
  writeFileSync(`${options.file}.marker-port`, String(port));
  const filter = [...options.ports, port].map((p) => `port ${p}`).join(' or ');
  const args = [
    '-i',
    options.interface ?? 'lo',
    '-f',
    filter,
    '-w',
    options.file,
    '-a',
    `duration:${options.maxSeconds ?? 60}`,
    '-q',
  ];
  const process = new WatchedProcess('dumpcap', 'dumpcap', args);
  const capture = new Capture(process, options, { socket, port });
  try {
    await process.waitForOutput(/Capturing on/, 10_000);
    return capture;
  } catch (err) {
    await capture.stop();
    throw err;
  }
}

function decodeArgs(decodeAs: readonly DecodeAs[] = []): string[] {
  return decodeAs.flatMap((d) => ['-d', `${d.proto}.port==${d.port},${d.as}`]);
}

/** Runs `tshark -r FILE ...` and returns its stdout lines (throws with stderr on failure). */
export function readCapture(
  file: string,
  args: readonly string[],
  decodeAs: readonly DecodeAs[] = [],
): string[] {
  const r = spawnSync('tshark', ['-r', file, ...decodeArgs(decodeAs), ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error || r.status !== 0) {
    throw new Error(`tshark -r ${file} ${args.join(' ')} failed: ${r.error?.message ?? r.stderr}`);
  }
  return r.stdout.split('\n').filter((l) => l.trim() !== '');
}

/** `tshark -Y filter -T fields` with `fields` tab-separated, one line per matching frame. */
function readFields(
  file: string,
  filter: string,
  fields: readonly string[],
  decodeAs: readonly DecodeAs[],
): string[][] {
  const args = ['-Y', filter, '-T', 'fields', '-E', 'separator=/t', ...fields.flatMap((f) => ['-e', f])];
  return readCapture(file, args, decodeAs).map((line) => line.split('\t'));
}

export interface FlaggedFrame {
  frame: number;
  protocols: string;
  /** Expert severities of the frame (e.g. `error`, `warning`, `note`, `chat`), if any. */
  severities: string[];
  /** Expert messages of the frame, if any. */
  messages: string[];
  info: string;
}

/**
 * Frames tshark marks malformed, or SIP/Diameter frames with expert info (the INTEROP.md filter);
 * [] is the pass.
 */
export function malformedFrames(file: string, decodeAs: readonly DecodeAs[] = []): FlaggedFrame[] {
  // The end-of-capture marker is neither SIP nor Diameter: whatever a port dissector makes of it.
  const marker = markerPort(file);
  const rows = readFields(
    file,
    `(_ws.malformed || (_ws.expert && (sip || diameter)))${marker ? ` && !(udp.port == ${marker})` : ''}`,
    ['frame.number', 'frame.protocols', '_ws.expert.severity', '_ws.expert.message', '_ws.col.Info'],
    decodeAs,
  );
  return rows.map(([frame, protocols, severities, messages, info]) => {
    return {
      frame: Number(frame),
      protocols: protocols ?? '',
      severities: severities ? severities.split(',') : [],
      messages: messages ? messages.split(',') : [],
      info: info ?? '',
    };
  });
}

export interface SipFrame {
  frame: number;
  /** Request method, or undefined for a response. */
  method?: string;
  /** Response status code, or undefined for a request. */
  status?: number;
  cseqMethod: string;
  callId: string;
}

/** Every SIP message in the capture, in order. */
export function sipMessages(file: string, decodeAs: readonly DecodeAs[] = []): SipFrame[] {
  const rows = readFields(
    file,
    'sip',
    ['frame.number', 'sip.Method', 'sip.Status-Code', 'sip.CSeq.method', 'sip.Call-ID'],
    decodeAs,
  );
  return rows.map(([frame, method, status, cseqMethod, callId]) => {
    return {
      frame: Number(frame),
      method: method || undefined,
      status: status ? Number(status) : undefined,
      cseqMethod: cseqMethod ?? '',
      callId: callId ?? '',
    };
  });
}

/** A compact list for assertions: `REGISTER`, `401 REGISTER`, `200 INVITE`, `ACK`, ... */
export function sipSummary(file: string, decodeAs: readonly DecodeAs[] = []): string[] {
  return sipMessages(file, decodeAs).map((m) => (m.method ? m.method : `${m.status} ${m.cseqMethod}`));
}

export interface DiameterFrame {
  frame: number;
  commandCode: number;
  request: boolean;
  applicationId: number;
  resultCode?: number;
}

/** Every Diameter message in the capture (several per frame are listed one by one). */
export function diameterMessages(file: string, decodeAs: readonly DecodeAs[] = []): DiameterFrame[] {
  const rows = readFields(
    file,
    'diameter',
    [
      'frame.number',
      'diameter.cmd.code',
      'diameter.flags.request',
      'diameter.applicationId',
      'diameter.Result-Code',
    ],
    decodeAs,
  );
  const out: DiameterFrame[] = [];
  for (const [frame, codes, requests, apps, results] of rows) {
    const codeList = (codes ?? '').split(',');
    const requestList = (requests ?? '').split(',');
    const appList = (apps ?? '').split(',');
    // Result-Code is absent from requests: only answers are matched to it, in order.
    const resultList = (results ?? '').split(',').filter((r) => r !== '');
    let answerIndex = 0;
    codeList.forEach((code, i) => {
      const request = requestList[i] === '1' || requestList[i] === 'True';
      const resultCode = request ? undefined : Number(resultList[answerIndex++] ?? Number.NaN);
      out.push({
        frame: Number(frame),
        commandCode: Number(code),
        request,
        applicationId: Number(appList[i] ?? Number.NaN),
        resultCode: resultCode !== undefined && !Number.isNaN(resultCode) ? resultCode : undefined,
      });
    });
  }
  return out;
}
