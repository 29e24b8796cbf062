/**
 * One readable line per log record for `ims up`'s combined log:
 * `HH:MM:SS.mmm scscf INFO  message key=value ...` from the children's pino JSON lines.
 */

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const COLORS: Record<string, string> = {
  WARN: '\x1b[33m',
  ERROR: '\x1b[31m',
  FATAL: '\x1b[41m',
  DEBUG: '\x1b[90m',
  TRACE: '\x1b[90m',
};
const RESET = '\x1b[0m';
/** Fields every line has, shown in the prefix rather than as key=value. */
const OMITTED = new Set(['time', 'level', 'msg', 'fn', 'pid', 'hostname']);

function clock(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

function value(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  if (v && typeof v === 'object' && 'message' in v && typeof (v as Error).message === 'string')
    return JSON.stringify((v as Error).message);
  return JSON.stringify(v) ?? String(v);
}

/** Formats one line a function wrote; a line that is not a pino record is shown as it is. */
export function formatLogLine(fn: string, line: string, color = false): string {
  const name = fn.padEnd(5);
  let record: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a record');
    record = parsed as Record<string, unknown>;
  } catch {
    return `${clock(new Date())} ${name} ${line}`;
  }
  const time =
    typeof record.time === 'string' || typeof record.time === 'number' ? new Date(record.time) : new Date();
  const level = LEVELS[record.level as number] ?? String(record.level ?? 'INFO').toUpperCase();
  const fields = Object.entries(record)
    .filter(([k, v]) => !OMITTED.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${value(v)}`);
  const levelText = level.padEnd(5);
  const shownLevel = color && COLORS[level] ? `${COLORS[level]}${levelText}${RESET}` : levelText;
  const msg = typeof record.msg === 'string' ? record.msg : '';
  return [
    `${clock(Number.isNaN(time.getTime()) ? new Date() : time)} ${name} ${shownLevel} ${msg}`,
    ...fields,
  ]
    .join(' ')
    .trimEnd();
}
