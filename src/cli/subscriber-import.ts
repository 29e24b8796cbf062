/**
 * `ims subscriber import FILE.csv` (ARCHITECTURE.md §7): the file is read line by line (never
 * whole: a million subscribers is fine) and sent to the HSS in batches as NDJSON
 * (`POST /api/v1/subscribers:import`), one batch on the wire while the next is read. Bad rows
 * are reported on stderr with their line numbers, progress too; the summary goes to stdout,
 * followed by the passwords the HSS generated for rows with neither password nor k.
 */
import { createReadStream } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { CliError } from './errors.ts';
import type { HssClient } from './subscriber-client.ts';
import {
  type CsvColumn,
  CsvError,
  type CsvRecord,
  parseCsvHeader,
  parseCsvRecord,
} from './subscriber-csv.ts';

const COMMAND = 'ims subscriber import';
const IMPORT_PATH = '/api/v1/subscribers:import';
/** Bad rows printed on stderr; the others are counted. */
const MAX_PRINTED = 100;
/** Bad rows listed in the --json output; the others are counted. */
const MAX_LISTED = 1000;
const PROGRESS_INTERVAL_MS = 1000;

export interface ImportOptions {
  file: string;
  client: HssClient;
  batchSize: number;
  json: boolean;
}

/** A data line: its record, or why it could not be read (reported with the batch, in line order). */
interface BatchItem {
  line: number;
  record?: CsvRecord;
  error?: string;
}

interface ImportAnswer {
  imported: number;
  failed: number;
  failures: { index: number; error: string; issues: { field: string; message: string }[] }[];
  /** Rows imported without password or k: the password the HSS made up (absent from older HSSs). */
  generatedPasswords?: { index: number; impu: string; password: string }[];
}

function readError(file: string, err: unknown): CliError {
  const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  return new CliError(`${COMMAND}: cannot read ${file}: ${code}`);
}

/** Lines with something on them, but the header: what progress counts to. */
async function countDataLines(file: string): Promise<number> {
  let lines = 0;
  let content = false;
  try {
    for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
      for (const byte of chunk) {
        if (byte === 0x0a) {
          if (content) lines++;
          content = false;
        } else if (byte !== 0x0d && byte !== 0x20) content = true;
      }
    }
  } catch (err) {
    throw readError(file, err);
  }
  if (content) lines++;
  return Math.max(0, lines - 1);
}

/** Counts, bad rows and progress of one import. */
class ImportReport {
  rows = 0;
  imported = 0;
  failed = 0;
  readonly failures: { line: number; impu?: string; error: string }[] = [];
  /** Shown once, after the summary: the operator hands them out. */
  readonly generatedPasswords: { line: number; impu: string; password: string }[] = [];
  readonly #started = performance.now();
  #lastProgress = 0;

  constructor(
    readonly file: string,
    readonly total: number,
    readonly json: boolean,
  ) {}

  bad(line: number, error: string, impu?: string): void {
    this.failed++;
    if (this.failed <= MAX_PRINTED) console.error(`${this.file}:${line}: ${error}`);
    if (this.failures.length < MAX_LISTED) this.failures.push({ line, ...(impu ? { impu } : {}), error });
  }

  /** `sent` are the items with a record, in the order they were sent. */
  batch(items: BatchItem[], sent: BatchItem[], answer: ImportAnswer): void {
    this.imported += answer.imported;
    for (const f of answer.failures) {
      const item = sent[f.index];
      if (item !== undefined)
        item.error =
          f.issues.length > 0 ? f.issues.map((i) => `${i.field}: ${i.message}`).join('; ') : f.error;
    }
    for (const item of items)
      if (item.error !== undefined) this.bad(item.line, item.error, item.record?.impu);
    for (const g of answer.generatedPasswords ?? []) {
      const item = sent[g.index];
      if (item !== undefined)
        this.generatedPasswords.push({ line: item.line, impu: g.impu, password: g.password });
    }
    // Failures the HSS counted without listing them.
    this.failed += answer.failed - answer.failures.length;
    this.progress(false);
  }

  get seconds(): number {
    return (performance.now() - this.#started) / 1000;
  }

  progress(final: boolean): void {
    const now = performance.now();
    if (!final && now - this.#lastProgress < PROGRESS_INTERVAL_MS) return;
    this.#lastProgress = now;
    const text = `imported ${this.imported}/${this.total}${this.failed ? ` (${this.failed} failed)` : ''}`;
    if (process.stderr.isTTY) process.stderr.write(`\r${text}${final ? '\n' : ''}`);
    else console.error(text);
  }

  finish(): void {
    this.progress(true);
    if (this.failed > MAX_PRINTED) console.error(`... and ${this.failed - MAX_PRINTED} more bad rows`);
    if (this.json) {
      const { file, rows, imported, failed, failures, generatedPasswords } = this;
      console.log(JSON.stringify({ file, rows, imported, failed, failures, generatedPasswords }, null, 2));
      return;
    }
    console.log(
      `imported ${this.imported} of ${this.rows} subscribers from ${this.file} in ${this.seconds.toFixed(1)} s` +
        (this.failed ? ` (${this.failed} failed)` : ''),
    );
    if (this.generatedPasswords.length === 0) return;
    // CSV the operator can hand out: the HSS keeps only HA1 values, this is the only copy.
    const n = this.generatedPasswords.length;
    console.log(
      `generated passwords for ${n} subscriber${n === 1 ? '' : 's'} without password or k (shown only this once):`,
    );
    console.log('impu,password');
    for (const g of this.generatedPasswords) console.log(`${csvField(g.impu)},${g.password}`);
  }
}

/** RFC 4180 §2: a field with a comma or a quote is quoted, quotes doubled. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export async function importSubscribers(options: ImportOptions): Promise<number> {
  const { file, client } = options;
  const report = new ImportReport(file, await countDataLines(file), options.json);
  const send = async (items: BatchItem[]): Promise<void> => {
    const sent = items.filter((i) => i.record !== undefined);
    const answer: ImportAnswer =
      sent.length === 0
        ? { imported: 0, failed: 0, failures: [] }
        : ((await client.expect('POST', IMPORT_PATH, [200], {
            ndjson: `${sent.map((i) => JSON.stringify(i.record)).join('\n')}\n`,
          })) as ImportAnswer);
    report.batch(items, sent, answer);
  };
  let columns: CsvColumn[] | undefined;
  let batch: BatchItem[] = [];
  let inFlight: Promise<void> | undefined;
  let lineNo = 0;
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const line of lines) {
      lineNo++;
      if (line.trim() === '') continue;
      if (columns === undefined) {
        try {
          columns = parseCsvHeader(line);
        } catch (err) {
          throw new CliError(`${COMMAND}: ${file}:${lineNo}: ${(err as Error).message}`);
        }
        continue;
      }
      report.rows++;
      try {
        batch.push({ line: lineNo, record: parseCsvRecord(line, columns) });
      } catch (err) {
        if (!(err instanceof CsvError)) throw err;
        batch.push({ line: lineNo, error: err.message });
      }
      if (batch.length >= options.batchSize) {
        await inFlight;
        inFlight = send(batch);
        // Awaited before the next batch or at the end; this only keeps it from being "unhandled" meanwhile.
        inFlight.catch(() => undefined);
        batch = [];
      }
    }
  } catch (err) {
    lines.close();
    if (err instanceof CliError) throw err;
    throw readError(file, err);
  }
  await inFlight;
  if (batch.length > 0) await send(batch);
  if (columns === undefined) throw new CliError(`${COMMAND}: ${file} has no header line`);
  report.finish();
  if (report.failed > 0) throw new CliError(`${COMMAND}: ${report.failed} of ${report.rows} rows failed`);
  return 0;
}
