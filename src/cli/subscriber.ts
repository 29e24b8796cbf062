/**
 * `ims subscriber add|show|list|remove|import` (ARCHITECTURE.md §7), over the HSS's REST API at
 * `--hss` (default http://127.0.0.1:8080). Human output by default; `--json` prints the API's
 * JSON, stable for scripts. Exit status 0 on success, 1 when the HSS refuses or cannot be
 * reached, 2 for a command line that cannot be understood (including a flag value the CLI can
 * check itself: identity syntax, hex digits); one line on stderr either way.
 */
import { readFileSync } from 'node:fs';
import { SECRET_HEX_DIGITS } from '../functions/hss/subscription-validation.ts';
import { isPrivateIdentity, normalizePublicIdentity } from '../ims/identity.ts';
import { parseIfcDocument } from '../ims/ifc-document.ts';
import { isHex } from '../ims/validation.ts';
import { parseCommandLine } from './command-line.ts';
import { CliError, EXIT_USAGE } from './errors.ts';
import { printUsage, wantsHelp } from './help.ts';
import { DEFAULT_HSS_URL, HssClient } from './subscriber-client.ts';
import {
  formatListLine,
  formatSubscription,
  LIST_HEADER,
  type SubscriptionJson,
} from './subscriber-format.ts';
import { importSubscribers } from './subscriber-import.ts';

const ADD_USAGE = `usage: ims subscriber add <impu> [--impi ID] [--password PW] [--k HEX (--opc HEX | --op HEX)]
                          [--amf HEX] [--tel +E164] [--ifc FILE.xml] [--json] [--hss URL]

Adds a subscriber (the IMPU may also be given as --impu). Defaults: IMPI from the IMPU
(sip:alice@ims.test -> alice@ims.test; a tel IMPU: the number at the HSS's realm, with its SIP
form), SIP Digest. With neither --password nor --k the HSS generates a password and prints it
once. Both a password and K: the subscriber may use digest or AKA.
  --impi ID            private identity (user@realm)
  --password PW        SIP Digest password (only its HA1 is stored)
  --k HEX              AKA key K, 32 hex digits, with --opc HEX or --op HEX
  --amf HEX            AKA AMF, 4 hex digits (default 8000)
  --tel +E164          a tel URI registered with the IMPU
  --ifc FILE.xml       iFCs: an InitialFilterCriteria, InitialFilterCriteriaList,
                       ServiceProfile or IMSSubscription document (TS 29.228 Annex E)
  --json               print the API's JSON (a generated password is its "password" field)`;
const SHOW_USAGE = `usage: ims subscriber show <impu> [--json] [--hss URL]

Prints the subscriber that the public identity (sip:, tel:) belongs to; secrets are never shown.`;
const REMOVE_USAGE = `usage: ims subscriber remove <impu> [--json] [--hss URL]

Removes the whole subscription the public identity belongs to (a registered user is
de-registered first).`;
const LIST_USAGE = `usage: ims subscriber list [--json] [--search TEXT] [--limit N] [--hss URL]

One line per subscriber and a count (--json: an array of the API's objects).
  --search TEXT        only those with an IMPU or IMPI containing TEXT (any case)
  --limit N            at most N`;
const IMPORT_USAGE = `usage: ims subscriber import FILE.csv [--batch N] [--json] [--hss URL]

Bulk add. The header line names the columns, from: impu,impi,password,k,op,opc,amf,tel
(only impu required). Progress and bad rows (by line number) on stderr, the summary on stdout,
then, for rows with neither password nor k, the generated passwords as "impu,password" lines
(shown once). Exit status 1 when some row failed.
  --batch N            rows per request (default 1000)
  --json               the summary as JSON, generated passwords in "generatedPasswords"`;

const USAGE = `usage: ims subscriber add <impu> [--impi ID] [--password PW] [--k HEX (--opc HEX | --op HEX)]
                          [--amf HEX] [--tel +E164] [--ifc FILE.xml] [--json]
       ims subscriber show|remove <impu> [--json]
       ims subscriber list [--json] [--search TEXT] [--limit N]
       ims subscriber import FILE.csv [--batch N] [--json]
                          the header line names the columns, from: impu,impi,password,k,op,opc,amf,tel
every subcommand takes --hss URL (default ${DEFAULT_HSS_URL}) and --help`;

const common = {
  hss: { type: 'string', default: DEFAULT_HSS_URL },
  json: { type: 'boolean', default: false },
} as const;

const LIST_PAGE = 500;

function usage(command: string, message: string): CliError {
  return new CliError(`${command}: ${message} (try '${command} --help')`, EXIT_USAGE);
}

function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

/** The one identity of `show`, `remove` (and `add`, where --impu may give it instead). */
function oneIdentity(command: string, positionals: string[], flag?: string): string {
  const given = [...positionals, ...(flag !== undefined ? [flag] : [])];
  if (given.length === 0)
    throw usage(command, 'which subscriber? give its public identity (sip:... or tel:...)');
  if (positionals.length > 1 || (flag !== undefined && positionals.length > 0 && positionals[0] !== flag))
    throw usage(command, `one public identity, not ${given.length}`);
  return given[0]!;
}

async function add(args: string[]): Promise<number> {
  if (wantsHelp(args)) return printUsage(ADD_USAGE);
  const command = 'ims subscriber add';
  const { values, positionals } = parseCommandLine(command, {
    args,
    options: {
      ...common,
      impu: { type: 'string' },
      impi: { type: 'string' },
      password: { type: 'string' },
      k: { type: 'string' },
      opc: { type: 'string' },
      op: { type: 'string' },
      amf: { type: 'string' },
      tel: { type: 'string' },
      ifc: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const impu = oneIdentity(command, positionals, values.impu);
  if (values.k !== undefined && (values.opc === undefined) === (values.op === undefined))
    throw usage(command, '--k needs exactly one of --opc and --op');
  for (const flag of ['opc', 'op', 'amf'] as const)
    if (values[flag] !== undefined && values.k === undefined)
      throw usage(command, `--${flag} is for AKA: give --k too`);
  checkSubscriberValues(command, { ...values, impu });
  const client = new HssClient(values.hss, command);
  const body: Record<string, unknown> = { impu };
  for (const f of ['impi', 'password', 'k', 'opc', 'op', 'amf', 'tel'] as const)
    if (values[f] !== undefined) body[f] = values[f];
  if (values.ifc !== undefined) body.initialFilterCriteria = readIfc(command, values.ifc);
  const created = (await client.expect('POST', '/api/v1/subscribers', [201], {
    json: body,
  })) as SubscriptionJson & { password?: string };
  if (values.json) printJson(created);
  else {
    console.log(`added ${formatSubscription(created)}`);
    // Given neither a password nor K, the HSS made one up: this is the only time it is shown.
    if (created.password !== undefined)
      console.log(`  ${'password'.padEnd(14)}${created.password}  (generated; shown only this once)`);
  }
  return 0;
}

/** The AKA values given as flags, checked as the HSS checks them. */
const HEX_FLAGS = ['k', 'opc', 'op', 'amf'] as const;

/**
 * Exit status 2 for what the CLI can tell is wrong with a flag's value itself (README, "The
 * `ims` command"), before the HSS is asked: the syntax of the identities and the hex digits of
 * the AKA values, in the HSS's own words (its 422 would otherwise say the same, with exit 1).
 */
function checkSubscriberValues(
  command: string,
  values: { impu: string; impi?: string; tel?: string; k?: string; opc?: string; op?: string; amf?: string },
): void {
  const issues: string[] = [];
  const publicIdentity = (field: string, text: string): string | undefined => {
    try {
      return normalizePublicIdentity(text);
    } catch (err) {
      issues.push(`${field}: ${(err as Error).message}`);
      return undefined;
    }
  };
  const impu = publicIdentity('impu', values.impu);
  if (values.impi !== undefined && !isPrivateIdentity(values.impi))
    issues.push('impi: must be an NAI username@realm (TS 23.003 §13.3)');
  if (values.tel !== undefined) {
    publicIdentity('tel', values.tel.startsWith('tel:') ? values.tel : `tel:${values.tel}`);
    if (impu?.startsWith('tel:'))
      issues.push('tel: the IMPU is a tel URI already: give a SIP IMPU with tel, or the tel URI alone');
  }
  for (const field of HEX_FLAGS) {
    const value = values[field];
    const digits = SECRET_HEX_DIGITS[field];
    if (value !== undefined && !isHex(value, digits)) issues.push(`${field}: must be ${digits} hex digits`);
  }
  if (issues.length > 0) {
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    throw new CliError(`${command}: invalid subscription: ${issues[0]}${more}`, EXIT_USAGE);
  }
}

/**
 * `--ifc FILE.xml`: a TS 29.228 Annex E document holding iFCs: InitialFilterCriteria,
 * InitialFilterCriteriaList, or the ServiceProfile / IMSSubscription another HSS exports.
 */
function readIfc(command: string, file: string): unknown[] {
  let xml: string;
  try {
    xml = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`${command}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  try {
    return parseIfcDocument(xml);
  } catch (err) {
    throw new CliError(`${command}: ${file}: ${(err as Error).message}`);
  }
}

async function show(args: string[]): Promise<number> {
  if (wantsHelp(args)) return printUsage(SHOW_USAGE);
  const command = 'ims subscriber show';
  const { values, positionals } = parseCommandLine(command, {
    args,
    options: common,
    allowPositionals: true,
    strict: true,
  });
  const impu = oneIdentity(command, positionals);
  const client = new HssClient(values.hss, command);
  const sub = (await client.expect('GET', HssClient.subscriberPath(impu), [200])) as SubscriptionJson;
  if (values.json) printJson(sub);
  else console.log(formatSubscription(sub));
  return 0;
}

async function remove(args: string[]): Promise<number> {
  if (wantsHelp(args)) return printUsage(REMOVE_USAGE);
  const command = 'ims subscriber remove';
  const { values, positionals } = parseCommandLine(command, {
    args,
    options: common,
    allowPositionals: true,
    strict: true,
  });
  const impu = oneIdentity(command, positionals);
  const client = new HssClient(values.hss, command);
  await client.expect('DELETE', HssClient.subscriberPath(impu), [204]);
  if (values.json) printJson({ impu, removed: true });
  else console.log(`removed ${impu}`);
  return 0;
}

async function list(args: string[]): Promise<number> {
  if (wantsHelp(args)) return printUsage(LIST_USAGE);
  const command = 'ims subscriber list';
  const { values, positionals } = parseCommandLine(command, {
    args,
    options: { ...common, search: { type: 'string' }, limit: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0) throw usage(command, `unexpected argument '${positionals[0]}'`);
  const limit = values.limit === undefined ? Number.POSITIVE_INFINITY : Number(values.limit);
  if (!(Number.isInteger(limit) && limit > 0) && limit !== Number.POSITIVE_INFINITY)
    throw usage(command, '--limit must be a positive integer');
  const client = new HssClient(values.hss, command);
  // Page by page: a million subscribers are printed without holding them all.
  let printed = 0;
  let total = 0;
  let cursor: string | undefined;
  let started = false;
  do {
    const query = new URLSearchParams({ limit: String(Math.min(LIST_PAGE, limit - printed)) });
    if (cursor !== undefined) query.set('cursor', cursor);
    if (values.search !== undefined) query.set('search', values.search);
    const page = (await client.expect('GET', `/api/v1/subscribers?${query}`, [200])) as {
      items: SubscriptionJson[];
      total: number;
      nextCursor?: string;
    };
    // Nothing on stdout before the first page has arrived: a script reading the output of a
    // list that failed (the HSS unreachable, or refusing) gets nothing rather than a header.
    if (!started) {
      started = true;
      if (values.json) process.stdout.write('[');
      else console.log(LIST_HEADER);
    }
    total = page.total;
    for (const sub of page.items) {
      if (values.json)
        process.stdout.write(
          `${printed > 0 ? ',' : ''}\n  ${JSON.stringify(sub, null, 2).replace(/\n/g, '\n  ')}`,
        );
      else console.log(formatListLine(sub));
      printed++;
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined && printed < limit);
  if (values.json) process.stdout.write(printed > 0 ? '\n]\n' : ']\n');
  else
    console.log(
      `${printed === total ? printed : `${printed} of ${total}`} subscriber${total === 1 ? '' : 's'}`,
    );
  return 0;
}

async function importCommand(args: string[]): Promise<number> {
  if (wantsHelp(args)) return printUsage(IMPORT_USAGE);
  const command = 'ims subscriber import';
  const { values, positionals } = parseCommandLine(command, {
    args,
    options: { ...common, batch: { type: 'string', default: '1000' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw usage(command, 'give one FILE.csv');
  const batchSize = Number(values.batch);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000)
    throw usage(command, '--batch must be an integer 1..100000');
  const client = new HssClient(values.hss, command);
  return importSubscribers({ file: positionals[0]!, client, batchSize, json: values.json });
}

const subcommands: Record<string, (args: string[]) => Promise<number>> = {
  add,
  show,
  remove,
  list,
  import: importCommand,
};

/** `ims subscriber <subcommand> ...`. */
export async function subscriberCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'help' || sub === '--help' || sub === '-h') return printUsage(USAGE);
  const run = sub === undefined ? undefined : subcommands[sub];
  if (run === undefined)
    throw new CliError(
      `ims subscriber: ${sub === undefined ? 'which subcommand?' : `unknown subcommand '${sub}':`} add, show, list, remove or import (try 'ims subscriber help')`,
      EXIT_USAGE,
    );
  return run(rest);
}
