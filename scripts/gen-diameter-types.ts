// Generates src/diameter/apps/generated/{base,cx,sh,rx,rf}-types.ts: a TypeScript type per command
// (request and answer) and per grouped AVP, and a const object per enumerated AVP, all derived from
// the dictionaries' ABNF, so the typed application API cannot drift from the data. Run:
//   node --import tsx scripts/gen-diameter-types.ts && npx biome check --write src/diameter/apps/generated
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { avpKey } from '../src/diameter/dictionary/avp-key.ts';
import type { AvpSpec, RuleSet } from '../src/diameter/dictionary/dictionary.ts';
import { createStandardDictionary } from '../src/diameter/dictionary/standard.ts';
import type { AvpType } from '../src/diameter/dictionary/types.ts';

const root = new URL('..', import.meta.url).pathname;
const outDir = join(root, 'src/diameter/apps/generated');
const dict = createStandardDictionary();

/** Which generated file owns the types of an application's AVPs and commands. */
const FILE_OF_APP: Record<string, string> = {
  'Diameter Common Messages': 'base',
  'Diameter Base Accounting': 'base',
  '3GPP Cx/Dx': 'cx',
  '3GPP Sh': 'sh',
  '3GPP Rx': 'rx',
  '3GPP Rf': 'rf',
};
const FILES = ['base', 'cx', 'sh', 'rx', 'rf'];

const owner = new Map<AvpSpec, string>();
for (const app of dict.applications) {
  for (const def of app.avps) {
    const spec = dict.avp(def.code, def.vendorId)!;
    if (!owner.has(spec)) owner.set(spec, FILE_OF_APP[app.name]!);
  }
}

const pascal = (name: string) => {
  const k = avpKey(name);
  return /^[0-9]/.test(k) ? `Tgpp${k.slice(4)}` : k.charAt(0).toUpperCase() + k.slice(1);
};
const prop = (key: string) => (/^[A-Za-z_$][\w$]*$/.test(key) ? key : `'${key}'`);

const TS_TYPE: Record<Exclude<AvpType, 'Grouped'>, string> = {
  OctetString: 'Buffer',
  Integer32: 'number',
  Integer64: 'bigint',
  Unsigned32: 'number',
  Unsigned64: 'bigint',
  Float32: 'number',
  Float64: 'number',
  Address: 'string',
  Time: 'Date',
  UTF8String: 'string',
  DiameterIdentity: 'string',
  DiameterURI: 'string',
  Enumerated: 'number',
  IPFilterRule: 'string',
};

interface FileState {
  body: string[];
  imports: Map<string, Set<string>>;
  emitted: Set<string>;
}
const files = new Map<string, FileState>(
  FILES.map((f) => [f, { body: [], imports: new Map(), emitted: new Set() }]),
);

function typeOf(spec: AvpSpec, from: string): string {
  if (spec.def.type !== 'Grouped') return TS_TYPE[spec.def.type];
  const name = pascal(spec.def.name);
  const file = owner.get(spec)!;
  emitGrouped(spec);
  if (file !== from) {
    const imports = files.get(from)!.imports;
    if (!imports.has(file)) imports.set(file, new Set());
    imports.get(file)!.add(name);
  }
  return name;
}

function members(rules: RuleSet, from: string): string {
  const lines: string[] = [];
  for (const rule of rules.rules) {
    const spec = rule.spec!;
    const t = typeOf(spec, from);
    const optional = rule.min === 0 ? '?' : '';
    const many = rule.max > 1 ? `${t.includes(' ') ? `(${t})` : t}[]` : t;
    const qual =
      rule.max === 1
        ? ''
        : `${rule.min > (rule.required ? 1 : 0) ? rule.min : ''}*${rule.max === Infinity ? '' : rule.max}`;
    const [open, close] = rule.fixed ? ['<', '>'] : rule.required ? ['{', '}'] : ['[', ']'];
    const doc = `${qual}${open} ${spec.def.name} ${close} ${spec.def.clause}`;
    lines.push(`  /** ${doc.replace(/\s+/g, ' ')} */\n  ${prop(rule.key)}${optional}: ${many};`);
  }
  if (rules.allowsAny) lines.push('  /** *[ AVP ]: AVPs the rules do not name. */\n  rawAvps?: RawAvp[];');
  return lines.join('\n');
}

function emitGrouped(spec: AvpSpec): void {
  const file = owner.get(spec)!;
  const state = files.get(file)!;
  const name = pascal(spec.def.name);
  if (state.emitted.has(name)) return;
  state.emitted.add(name);
  state.body.push(
    `/** ${spec.def.name} (${spec.def.code}, ${spec.def.clause}). */\nexport type ${name} = {\n${members(spec.members!, file)}\n};\n`,
  );
}

for (const command of dict.allCommands()) {
  const app = dict.applications.find((a) => a.commands.includes(command.def))!;
  const file = FILE_OF_APP[app.name]!;
  const state = files.get(file)!;
  const base = pascal(command.def.name);
  for (const [kind, rules, abbrev] of [
    ['Request', command.request, command.def.abbreviations[0]],
    ['Answer', command.answer, command.def.abbreviations[1]],
  ] as const) {
    state.body.push(
      `/** ${abbrev}: ${command.def.name}-${kind} (${command.def.clause}). */\nexport type ${base}${kind} = {\n${members(rules, file)}\n};\n`,
    );
  }
}

for (const spec of dict.allAvps()) {
  if (!spec.enumValues) continue;
  const file = owner.get(spec)!;
  const entries = Object.entries(spec.enumValues)
    .map(([label, value]) => `  ${prop(label)}: ${value},`)
    .join('\n');
  files
    .get(file)!
    .body.push(
      `/** ${spec.def.name} values (${spec.def.clause}). */\nexport const ${pascal(spec.def.name)} = {\n${entries}\n} as const;\n`,
    );
}

mkdirSync(outDir, { recursive: true });
for (const [file, state] of files) {
  const head = [
    '// Generated by scripts/gen-diameter-types.ts from the dictionaries. Do not edit by hand.',
    "import type { RawAvp } from '../../codec/raw-avp.ts';",
  ];
  for (const [from, names] of [...state.imports].sort()) {
    head.push(`import type { ${[...names].sort().join(', ')} } from './${from}-types.ts';`);
  }
  writeFileSync(join(outDir, `${file}-types.ts`), `${head.join('\n')}\n\n${state.body.join('\n')}`);
}
console.log(`wrote ${FILES.length} files to ${outDir}`);
