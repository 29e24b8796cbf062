// A tiny authoritative DNS server over UDP for tests: answers A, AAAA, SRV and NAPTR
// queries from an in-memory zone, wire format of RFC 1035 §4 (SRV: RFC 2782, NAPTR: RFC 3403).
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { once } from 'node:events';

export const TYPE = { A: 1, AAAA: 28, SRV: 33, NAPTR: 35 } as const;

export type ZoneRecord =
  | { type: 'A' | 'AAAA'; address: string; ttl?: number }
  | { type: 'SRV'; priority: number; weight: number; port: number; target: string; ttl?: number }
  | {
      type: 'NAPTR';
      order: number;
      preference: number;
      flags: string;
      service: string;
      regexp?: string;
      replacement: string;
      ttl?: number;
    };

/** Names (lowercase, no trailing dot) to their records. */
export type Zone = Record<string, ZoneRecord[]>;

function encodeName(name: string): Buffer {
  const parts = name.split('.').filter((l) => l.length > 0);
  return Buffer.concat([
    ...parts.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])),
    Buffer.from([0]),
  ]);
}

function charString(s: string): Buffer {
  return Buffer.concat([Buffer.from([s.length]), Buffer.from(s)]);
}

function u16(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 2);
  for (const [i, v] of values.entries()) b.writeUInt16BE(v, i * 2);
  return b;
}

function ipv6Bytes(address: string): Buffer {
  const [head, tail] = address.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return u16(...groups.map((g) => Number.parseInt(g, 16)));
}

function rdata(r: ZoneRecord): Buffer {
  switch (r.type) {
    case 'A':
      return Buffer.from(r.address.split('.').map(Number));
    case 'AAAA':
      return ipv6Bytes(r.address);
    case 'SRV':
      return Buffer.concat([u16(r.priority, r.weight, r.port), encodeName(r.target)]);
    case 'NAPTR':
      return Buffer.concat([
        u16(r.order, r.preference),
        charString(r.flags),
        charString(r.service),
        charString(r.regexp ?? ''),
        encodeName(r.replacement),
      ]);
  }
}

/** Reads the question: the name (lowercased) and where the question section ends. */
function readQuestion(msg: Buffer): { name: string; type: number; end: number } {
  let i = 12;
  const labels: string[] = [];
  while (msg[i]! !== 0) {
    const len = msg[i]!;
    labels.push(msg.toString('latin1', i + 1, i + 1 + len));
    i += 1 + len;
  }
  i += 1;
  return { name: labels.join('.').toLowerCase(), type: msg.readUInt16BE(i), end: i + 4 };
}

export class TinyDnsServer {
  /** Every question asked, as "TYPE name". */
  readonly queries: string[] = [];

  private constructor(
    private readonly socket: Socket,
    readonly zone: Zone,
  ) {
    socket.on('message', (msg: Buffer, from: RemoteInfo) => this.answer(msg, from));
  }

  static async start(zone: Zone): Promise<TinyDnsServer> {
    const socket = createSocket('udp4');
    socket.bind(0, '127.0.0.1');
    await once(socket, 'listening');
    return new TinyDnsServer(socket, zone);
  }

  /** "127.0.0.1:port", as Resolver.setServers takes it. */
  get address(): string {
    return `127.0.0.1:${this.socket.address().port}`;
  }

  private answer(msg: Buffer, from: RemoteInfo): void {
    const q = readQuestion(msg);
    const typeName = Object.entries(TYPE).find(([, v]) => v === q.type)?.[0] ?? String(q.type);
    this.queries.push(`${typeName} ${q.name}`);
    const known = this.zone[q.name];
    const records = (known ?? []).filter((r) => TYPE[r.type] === q.type);
    // QR, AA, RD, RA; RCODE 3 (NXDOMAIN) for unknown names, else NOERROR (maybe no answers).
    const flags = 0x8580 | (known ? 0 : 3);
    const header = u16(msg.readUInt16BE(0), flags, 1, records.length, 0, 0);
    // The question is echoed byte for byte (resolvers may randomize its letter case).
    const question = msg.subarray(12, q.end);
    const answers = records.map((r) => {
      const data = rdata(r);
      const ttl = Buffer.alloc(4);
      ttl.writeUInt32BE(r.ttl ?? 60);
      return Buffer.concat([u16(0xc00c, q.type, 1), ttl, u16(data.length), data]);
    });
    this.socket.send(Buffer.concat([header, question, ...answers]), from.port, from.address);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
