import { parseHex, sqnFromBytes } from '../aka/bytes.ts';
import { AkaError } from '../aka/errors.ts';
import { Milenage } from '../aka/milenage.ts';
import { generateAuthenticationVector } from '../aka/vectors.ts';
import { parseCommandLine } from './command-line.ts';
import { CliError, EXIT_USAGE } from './errors.ts';
import { printUsage, wantsHelp } from './help.ts';

const USAGE = 'usage: ims aka vector --k HEX (--op HEX | --opc HEX) --rand HEX --sqn HEX --amf HEX';
const HELP = `${USAGE}

The MILENAGE functions of TS 35.206 for one set of inputs: prints JSON with lowercase hex
fields opc, mac_a, mac_s, res, ck, ik, ak, ak_star, autn.
  --k HEX        subscriber key K, 32 hex digits
  --op HEX       operator variant OP, 32 hex digits (or --opc HEX: OPc)
  --rand HEX     RAND, 32 hex digits
  --sqn HEX      SQN, 12 hex digits
  --amf HEX      AMF, 4 hex digits`;

/** `ims aka vector`: the MILENAGE outputs for one set of inputs, as JSON (ARCHITECTURE.md §7). */
function vector(args: string[]): number {
  if (wantsHelp(args)) return printUsage(HELP);
  const { values } = parseCommandLine('ims aka vector', {
    args,
    options: {
      k: { type: 'string' },
      op: { type: 'string' },
      opc: { type: 'string' },
      rand: { type: 'string' },
      sqn: { type: 'string' },
      amf: { type: 'string' },
    },
    strict: true,
  });
  for (const name of ['k', 'rand', 'sqn', 'amf'] as const) {
    if (values[name] === undefined)
      throw new CliError(`ims aka vector: --${name} HEX is required (${USAGE})`, EXIT_USAGE);
  }
  if ((values.op === undefined) === (values.opc === undefined)) {
    throw new CliError(`ims aka vector: exactly one of --op and --opc is required`, EXIT_USAGE);
  }
  try {
    const hex = (name: keyof typeof values, octets: number) =>
      values[name] === undefined ? undefined : parseHex(`--${name}`, values[name], octets);
    const k = hex('k', 16) as Buffer;
    const rand = hex('rand', 16) as Buffer;
    const sqn = hex('sqn', 6) as Buffer;
    const amf = hex('amf', 2) as Buffer;
    const milenage = Milenage.fromKeys({ k, op: hex('op', 16), opc: hex('opc', 16) });
    const out = milenage.compute(rand, sqn, amf);
    const { autn } = generateAuthenticationVector(milenage, { sqn: sqnFromBytes(sqn), amf, rand });
    const fields = {
      opc: milenage.opc,
      mac_a: out.macA,
      mac_s: out.macS,
      res: out.res,
      ck: out.ck,
      ik: out.ik,
      ak: out.ak,
      ak_star: out.akStar,
      autn,
    };
    console.log(
      JSON.stringify(
        Object.fromEntries(Object.entries(fields).map(([n, v]) => [n, v.toString('hex')])),
        null,
        2,
      ),
    );
    return 0;
  } catch (err) {
    if (err instanceof AkaError) throw new CliError(`ims aka vector: ${err.message}`, EXIT_USAGE);
    throw err;
  }
}

/** `ims aka <subcommand>`. */
export function akaCommand(args: string[]): number {
  const [sub, ...rest] = args;
  if (sub === '--help' || sub === '-h' || sub === 'help') return printUsage(HELP);
  if (sub === 'vector') return vector(rest);
  throw new CliError(sub ? `ims aka: unknown subcommand '${sub}' (${USAGE})` : USAGE, EXIT_USAGE);
}
