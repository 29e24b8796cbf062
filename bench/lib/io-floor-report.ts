/**
 * The IO floor's part of the IMS chain report (bench/lib/io-floor.ts): its summary line, its
 * section with the table of steps, and the comparison with ours: highest clean digest rate
 * ours/floor, and the CPU each spends per registration (ours: the four functions' CPU over our
 * best clean digest step / registrations completed in it).
 */
import { IO_FLOOR_PATTERN, IO_FLOOR_ROLES, type IoFloorSeries, type IoFloorStepResult } from './io-floor.ts';
import type { StepResult } from './sipp-load.ts';

/** The side of a comparison: its steps, highest clean rate and whether a step failed. */
export interface ComparedSeries {
  steps: StepResult[];
  best: number;
  limitFound: boolean;
}

/**
 * CPU ms per completed exchange of a step, summed over the system's processes (% of one core ×
 * wall time), or over the processes named in `only`.
 */
export function cpuMsPerExchange(step: StepResult, only?: readonly string[]): number {
  const percent = Object.entries(step.cpu)
    .filter(([name]) => !only || only.includes(name))
    .reduce((sum, [, v]) => sum + v, 0);
  return step.successful > 0 ? ((percent / 100) * step.wallS * 1000) / step.successful : 0;
}

const bestCell = (s: { best: number; limitFound: boolean }) =>
  s.limitFound ? `${s.best}/s` : `≥ ${s.best}/s`;

/** The clean floor step nearest in rate to `rate` (CPU per registration depends on the rate: batching). */
function nearestClean(floor: IoFloorSeries, rate: number): IoFloorStepResult | undefined {
  const clean = floor.steps.filter((t) => t.clean);
  clean.sort((a, b) => Math.abs(a.rate - rate) - Math.abs(b.rate - rate) || a.rate - b.rate);
  return clean[0];
}

interface Comparison {
  ratio: string;
  ours?: { rate: number; cpuMs: number; clean: boolean };
  floor?: { rate: number; cpuMs: number };
}

function compare(floor: IoFloorSeries, ours: ComparedSeries | undefined): Comparison {
  if (!ours || ours.steps.length === 0 || floor.best === 0) return { ratio: '–' };
  let ratio = (ours.best / floor.best).toFixed(2);
  if (ours.best === 0) ratio = '– (ours: no clean step)';
  else if (!floor.limitFound && ours.limitFound) ratio = `≤ ${ratio}`;
  else if (floor.limitFound && !ours.limitFound) ratio = `≥ ${ratio}`;
  // At our best clean rate; with none, our first step that completed any (marked not clean).
  const oursStep =
    ours.steps.find((t) => t.rate === ours.best && t.clean) ?? ours.steps.find((t) => t.successful > 0);
  if (!oursStep) return { ratio };
  const floorStep = nearestClean(floor, oursStep.rate);
  return {
    ratio,
    // The four functions (not the `ims up` supervisor beside them).
    ours: { rate: oursStep.rate, cpuMs: cpuMsPerExchange(oursStep, IO_FLOOR_ROLES), clean: oursStep.clean },
    floor: floorStep && { rate: floorStep.rate, cpuMs: floorStep.cpuMsPerRegistration },
  };
}

const ms = (v: number) => (v >= 10 ? v.toFixed(0) : v.toFixed(2));

function cpuComparison(c: Comparison): string {
  if (!c.ours || !c.floor) return '';
  return (
    `CPU per registration ours ${ms(c.ours.cpuMs)} ms (at ${c.ours.rate}/s${c.ours.clean ? '' : ', not clean'}) vs floor ${ms(c.floor.cpuMs)} ms (at ${c.floor.rate}/s)` +
    `${c.floor.cpuMs > 0 ? `, ×${(c.ours.cpuMs / c.floor.cpuMs).toFixed(1)}` : ''}`
  );
}

/** One summary line: the floor's highest clean rate and how ours compares. */
export function floorSummaryLine(floor: IoFloorSeries, oursDigest: ComparedSeries | undefined): string {
  if (floor.steps.length === 0)
    return `IO floor of the message pattern: not measured${floor.note ? ` (${floor.note})` : ''}`;
  const best = floor.steps.find((t) => t.rate === floor.best && t.clean);
  const c = compare(floor, oursDigest);
  const cpu = cpuComparison(c);
  return (
    `IO floor of the message pattern (trivial relays, same sockets): ${floor.best > 0 ? bestCell(floor) : 'no clean step'}` +
    `${best ? ` (p50 ${ms(best.p50Ms)} ms, ${ms(best.cpuMsPerRegistration)} ms CPU per registration over the 4 relays)` : ''}` +
    `; ratio ours/floor for digest registrations ${c.ratio}${cpu ? `; ${cpu}` : ''}`
  );
}

/** The section "IO floor of the message pattern": what was measured, the steps, the comparison. */
export function floorSection(
  floor: IoFloorSeries,
  oursDigest: ComparedSeries | undefined,
  kamailioDigest: ComparedSeries | undefined,
): string[] {
  const lines = [
    '## IO floor of the message pattern',
    '',
    `The messages of one IMS digest registration through the chain (${IO_FLOOR_PATTERN.sipDatagrams} SIP datagrams of 700 bytes: ` +
      'REGISTER UE→P→I, I→S, 401 S→I→P→UE, REGISTER again, 200 back, then the reg-event SUBSCRIBE P→S, its 200, NOTIFY S→P and its 200; ' +
      `${IO_FLOOR_PATTERN.diameterRequests} Diameter request/answer pairs of 300 bytes over one TCP connection per client: UAR/UAA twice from the I-CSCF, MAR/MAA and SAR/SAA from the S-CSCF), ` +
      'relayed by four Node processes that parse nothing, keep no state and never retransmit (bench/lib/io-floor-relay.mjs, UDP receive buffers of 4 MiB as in `ims up`). ' +
      'The UE generator is a fifth process (like SIPp). What they reach is what this machine and Node’s socket I/O permit for the pattern, ' +
      `measured in the same run; a registration whose reply has not come ${floor.graceS} s after the last REGISTER of the step counts as lost.`,
    '',
  ];
  if (floor.note) lines.push(floor.note, '');
  if (floor.steps.length === 0) return lines;
  lines.push(
    '| offered/s | planned | completed | lost | achieved/s | p50 ms | p99 ms | max ms | CPU % of one core | CPU ms per registration (4 relays) | UE CPU % | UDP rcv errors | clean |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|',
  );
  for (const t of floor.steps) {
    const cpu = Object.entries(t.cpu)
      .map(([k, v]) => `${k} ${v}%`)
      .join(', ');
    lines.push(
      `| ${t.rate} | ${t.planned} | ${t.successful} | ${t.failed} | ${t.achieved} | ${ms(t.p50Ms)} | ${ms(t.p99Ms)} | ${ms(t.maxMs)} | ` +
        `${cpu} | ${ms(t.cpuMsPerRegistration)} | ${t.sippCpu} | ${t.udpDrops} | ${t.clean ? 'yes' : '**no**'} |`,
    );
  }
  for (const t of floor.steps.filter((x) => x.errors.length > 0)) {
    lines.push('', `At ${t.rate}/s:`, '', ...t.errors.map((e) => `- ${e}`));
  }
  lines.push('');
  const c = compare(floor, oursDigest);
  const kamailio = kamailioDigest?.steps.find((t) => t.rate === kamailioDigest.best && t.clean);
  lines.push(
    `Highest clean rate: floor ${floor.best > 0 ? bestCell(floor) : 'none'}` +
      `${oursDigest && oursDigest.steps.length > 0 ? `, ours (digest registrations) ${bestCell(oursDigest)}` : ''}; ratio ours/floor ${c.ratio}.`,
    '',
  );
  const cpu = cpuComparison(c);
  if (cpu) {
    lines.push(
      `${cpu}${kamailio ? `; Kamailio ${ms(cpuMsPerExchange(kamailio))} ms at ${kamailio.rate}/s (a plain registrar: one hop, no Diameter)` : ''}. ` +
        'Ours: the CPU of the four functions over the step (% of one core × wall time) / registrations completed; floor: the four relays’ CPU over the step / registrations completed. ' +
        'The difference is what our code (parsing, transactions, dialogs, Diameter codec, store) costs above the bare socket I/O.',
      '',
    );
  }
  const counted = IO_FLOOR_ROLES.map((r) => floor.counters[r]).filter((x) => x !== undefined);
  if (counted.length === IO_FLOOR_ROLES.length) {
    const completed = floor.completed;
    const sip = ['pcscf', 'icscf', 'scscf'].reduce(
      (sum, r) =>
        sum +
        (floor.counters[r as 'pcscf']?.sent ?? 0) -
        (floor.counters[r as 'pcscf']?.diameterRequests ?? 0),
      0,
    );
    const diameter = floor.counters.hss?.diameterRequests ?? 0;
    if (completed > 0)
      lines.push(
        `Check of the pattern: over the series (a 1 s warm-up included) the relays sent ${sip} SIP datagrams and the HSS answered ${diameter} Diameter requests, ` +
          `${(sip / completed).toFixed(2)} and ${(diameter / completed).toFixed(2)} per completed registration ` +
          `(expected: ${IO_FLOOR_PATTERN.relaySipDatagrams} and ${IO_FLOOR_PATTERN.diameterRequests}; more when registrations were lost midway).`,
        '',
      );
  }
  return lines;
}
