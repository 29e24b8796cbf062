/**
 * The "IO floor" of one IMS digest registration (bench/lib/io-floor.ts): trivial relays that
 * move the same messages over the same kinds of sockets as `ims up`, with no parsing, no state
 * and no retransmission, so a run shows what this machine and Node's socket I/O permit for the
 * message pattern. Plain JS, run with `node` directly (no tsx: start-up in tens of ms).
 *
 *   node io-floor-relay.mjs <role> hss=P pcscf=P icscf=P scscf=P [ue=P] [key=value...]
 *
 * Roles: hss (TCP server), pcscf, icscf, scscf (UDP relays; icscf and scscf are TCP clients of
 * hss), ue (the load generator). Every port is given by the caller; all sockets are on
 * 127.0.0.1. A relay prints `ready <role>` once bound (and connected), and on SIGTERM prints
 * one JSON line of counters and exits; every role exits by itself when its parent is gone. The ue role takes rate=, seconds=, grace= (seconds to
 * wait for the last exchanges), run= (a prefix making its ids unique) and prints one JSON line
 * with its result, then exits.
 *
 * A SIP message is one UDP datagram of SIP_BYTES bytes whose first line is
 * `<kind> <id> <ue port> <more>`; a Diameter message is a 4-byte length then DIAMETER_BYTES - 4
 * bytes whose first line is the same, the answer echoing the request's line (so the CSCFs keep
 * no per-registration state: what a real one keeps in its transactions rides in the message).
 * The pattern, per registration:
 *   UE REG1 → P → I; I UAR/UAA hss; I → S; S MAR/MAA hss; S R401 → I → P → UE;
 *   UE REG2 → P → I; I UAR/UAA hss; I → S; S SAR/SAA hss; S R200 → I → P → UE (completed);
 *   P SUB → S (reg-event SUBSCRIBE, TS 24.229 §5.2.3); S SUB200 → P; S NOTIFY → P; P NOT200 → S.
 * 16 SIP datagrams (14 sent by the relays) and 4 Diameter request/answer pairs.
 */
import dgram from 'node:dgram';
import net from 'node:net';

const SIP_BYTES = 700;
const DIAMETER_BYTES = 300;
const HOST = '127.0.0.1';

const [role, ...rest] = process.argv.slice(2);
const args = Object.fromEntries(
  rest.map((a) => {
    const i = a.indexOf('=');
    return i < 0 ? [a, ''] : [a.slice(0, i), a.slice(i + 1)];
  }),
);
const port = (name) => {
  const p = Number(args[name]);
  if (!Number.isInteger(p) || p <= 0 || p > 65535) fail(`no valid port ${name}= (got ${args[name]})`);
  return p;
};
/** The same SO_RCVBUF as the SIP transport of `ims up` (limits.udpReceiveBufferBytes). */
const RECV_BUFFER = Number(args.rcvbuf ?? 4 * 1024 * 1024);

function fail(message) {
  process.stderr.write(`io-floor-relay ${role ?? '?'}: ${message}\n`);
  process.exit(2);
}

const counters = { received: 0, sent: 0, diameterRequests: 0, sendErrors: 0, unknown: 0 };

/** A message of `size` bytes whose first line is `line`; spaces after it. */
function message(line, size, offset = 0) {
  const b = Buffer.alloc(size, 32);
  b.write(`${line}\n`, offset, 'latin1');
  return b;
}
const firstLine = (b, from = 0) => {
  const end = b.indexOf(10, from);
  return b.toString('latin1', from, end < 0 ? Math.min(b.length, from + 120) : end);
};

function udpSocket() {
  return dgram.createSocket({ type: 'udp4', recvBufferSize: RECV_BUFFER });
}

/** Splits a TCP stream into length-prefixed messages. */
function framer(onMessage) {
  let buf = Buffer.alloc(0);
  return (data) => {
    buf = buf.length ? Buffer.concat([buf, data]) : data;
    while (buf.length >= 4) {
      const n = buf.readUInt32BE(0);
      if (n < 4) throw new Error(`bad frame length ${n}`);
      if (buf.length < n) break;
      onMessage(firstLine(buf, 4));
      buf = buf.subarray(n);
    }
  };
}
function diameterMessage(line) {
  const b = message(line, DIAMETER_BYTES, 4);
  b.writeUInt32BE(DIAMETER_BYTES, 0);
  return b;
}

function ready() {
  process.stdout.write(`ready ${role}\n`);
}

/** SIGTERM: close what is open, print the counters, exit. */
function onTerm(close) {
  process.once('SIGTERM', () => {
    try {
      close();
    } finally {
      process.stdout.write(`${JSON.stringify({ role, ...counters })}\n`, () => process.exit(0));
    }
  });
}

function startHss() {
  const sockets = new Set();
  const server = net.createServer((c) => {
    sockets.add(c);
    c.setNoDelay(true);
    c.on('close', () => sockets.delete(c));
    c.on('error', () => c.destroy());
    c.on(
      'data',
      framer((line) => {
        counters.received++;
        counters.diameterRequests++;
        // UAR → UAA, MAR → MAA, SAR → SAA; the rest of the line is echoed.
        const answer = `${line.slice(0, 2)}A${line.slice(3)}`;
        c.write(diameterMessage(answer));
        counters.sent++;
      }),
    );
  });
  server.on('error', (err) => fail(err.message));
  server.listen(port('hss'), HOST, ready);
  onTerm(() => {
    for (const c of sockets) c.destroy();
    server.close();
  });
}

/** One TCP connection to the hss role; answers go to onAnswer(line). */
function diameterClient(onAnswer, onConnected) {
  const s = net.connect(port('hss'), HOST, onConnected);
  s.setNoDelay(true);
  s.on('error', (err) => fail(`hss connection: ${err.message}`));
  s.on(
    'data',
    framer((line) => {
      counters.received++;
      onAnswer(line);
    }),
  );
  return {
    request(line) {
      counters.diameterRequests++;
      counters.sent++;
      s.write(diameterMessage(line));
    },
    close: () => s.destroy(),
  };
}

function startCscf() {
  const ports = { pcscf: port('pcscf'), icscf: port('icscf'), scscf: port('scscf') };
  const s = udpSocket();
  const send = (line, to) => {
    counters.sent++;
    s.send(message(line, SIP_BYTES), to, HOST, (err) => {
      if (err) counters.sendErrors++;
    });
  };
  /** The line with another kind, same id, UE port and the rest. */
  const as = (kind, parts) => [kind, ...parts.slice(1)].join(' ');
  let hss;
  const onSip = {
    pcscf(parts) {
      const [kind, , uePort] = parts;
      if (kind === 'REG1' || kind === 'REG2') send(parts.join(' '), ports.icscf);
      else if (kind === 'R401') send(parts.join(' '), Number(uePort));
      else if (kind === 'R200') {
        send(parts.join(' '), Number(uePort));
        // TS 24.229 §5.2.3: the P-CSCF subscribes to the reg event package after a registration.
        send(as('SUB', parts), ports.scscf);
      } else if (kind === 'NOTIFY') send(as('NOT200', parts), ports.scscf);
      else if (kind !== 'SUB200') counters.unknown++;
    },
    icscf(parts) {
      const [kind] = parts;
      // TS 29.228 §6.1.1: the I-CSCF asks the HSS (UAR) before forwarding each REGISTER.
      if (kind === 'REG1' || kind === 'REG2') hss.request(as('UAR', parts.concat(kind)));
      else if (kind === 'R401' || kind === 'R200') send(parts.join(' '), ports.pcscf);
      else counters.unknown++;
    },
    scscf(parts) {
      const [kind] = parts;
      if (kind === 'REG1') hss.request(as('MAR', parts));
      else if (kind === 'REG2') hss.request(as('SAR', parts));
      else if (kind === 'SUB') {
        send(as('SUB200', parts), ports.pcscf);
        send(as('NOTIFY', parts), ports.pcscf);
      } else if (kind !== 'NOT200') counters.unknown++;
    },
  }[role];
  const onAnswer = {
    // The REGISTER kind rode in the UAR as its last word.
    icscf(parts) {
      send([parts.at(-1), ...parts.slice(1, -1)].join(' '), ports.scscf);
    },
    scscf(parts) {
      if (parts[0] === 'MAA') send(as('R401', parts), ports.icscf);
      else if (parts[0] === 'SAA') send(as('R200', parts), ports.icscf);
      else counters.unknown++;
    },
  }[role];
  s.on('message', (m) => {
    counters.received++;
    onSip(firstLine(m).split(' '));
  });
  s.on('error', (err) => fail(err.message));
  s.bind(ports[role], HOST, () => {
    if (!onAnswer) ready();
    else hss = diameterClient((line) => onAnswer(line.split(' ')), ready);
  });
  onTerm(() => {
    hss?.close();
    s.close();
  });
}

/**
 * The load: registrations started at `rate` per second for `seconds` (paced on a 5 ms tick,
 * catching up to the schedule), then up to `grace` seconds for the last ones. No
 * retransmission: a registration with a message lost never completes and is counted lost.
 */
function startUe() {
  const rate = Number(args.rate);
  const seconds = Number(args.seconds);
  const grace = Number(args.grace ?? 3);
  const run = args.run ?? 'r';
  if (!(rate > 0 && seconds > 0 && grace >= 0)) fail('rate= and seconds= must be > 0, grace= >= 0');
  const pcscf = port('pcscf');
  const uePort = port('ue');
  const planned = Math.round(rate * seconds);
  /** When each registration's first REGISTER left; 0 once completed. */
  const startedAt = new Float64Array(planned);
  const latencies = [];
  let sent = 0;
  let completed = 0;
  let duplicates = 0;
  let finished = false;
  let lastCompletion = 0;
  const s = udpSocket();
  const send = (line) => {
    counters.sent++;
    s.send(message(line, SIP_BYTES), pcscf, HOST, (err) => {
      if (err) counters.sendErrors++;
    });
  };
  const now = () => performance.now();
  let t0 = 0;
  const cpu0 = process.cpuUsage();
  let tick;
  let graceTimer;
  const finish = () => {
    if (finished) return;
    finished = true;
    clearInterval(tick);
    clearTimeout(graceTimer);
    const end = completed === planned ? lastCompletion : now();
    latencies.sort((a, b) => a - b);
    const pick = (q) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? 0;
    const cpu = process.cpuUsage(cpu0);
    // Completed / time from the first REGISTER to the last 200 (as long as the sending, at least).
    const wallS = Math.max(end - t0, (1000 * planned) / rate) / 1000;
    const result = {
      role,
      rate,
      planned,
      started: sent,
      completed,
      lost: planned - completed,
      duplicates,
      achieved: Math.round(completed / Math.max(wallS, 1e-3)),
      wallS,
      meanMs: latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length),
      p50Ms: pick(0.5),
      p99Ms: pick(0.99),
      maxMs: latencies.at(-1) ?? 0,
      cpuS: (cpu.user + cpu.system) / 1e6,
      messages: counters,
    };
    s.close();
    process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
  };
  s.on('message', (m) => {
    counters.received++;
    const [kind, id] = firstLine(m).split(' ');
    const n = Number(id?.slice(run.length + 1));
    if (!id?.startsWith(`${run}-`) || !(n >= 0 && n < planned)) {
      counters.unknown++;
      return;
    }
    if (kind === 'R401') send(`REG2 ${id} ${uePort} -`);
    else if (kind === 'R200') {
      if (startedAt[n] === 0) {
        duplicates++;
        return;
      }
      lastCompletion = now();
      latencies.push(lastCompletion - startedAt[n]);
      startedAt[n] = 0;
      if (++completed === planned) finish();
    } else counters.unknown++;
  });
  s.on('error', (err) => fail(err.message));
  s.bind(uePort, HOST, () => {
    t0 = now();
    tick = setInterval(() => {
      const due = Math.min(planned, Math.floor(((now() - t0) * rate) / 1000));
      while (sent < due) {
        const n = sent++;
        startedAt[n] = now();
        send(`REG1 ${run}-${n} ${uePort} -`);
      }
      if (sent >= planned) {
        clearInterval(tick);
        graceTimer = setTimeout(finish, grace * 1000);
      }
    }, 5);
  });
  process.once('SIGTERM', finish);
}

// Never outlive the benchmark: a parent killed outright cannot stop its relays.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(3);
}, 1000).unref();

if (role === 'hss') startHss();
else if (role === 'pcscf' || role === 'icscf' || role === 'scscf') startCscf();
else if (role === 'ue') startUe();
else fail('role must be one of hss, pcscf, icscf, scscf, ue');
