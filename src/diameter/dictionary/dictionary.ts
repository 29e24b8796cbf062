import { parseAbnf } from './abnf.ts';
import { avpKey, RAW_AVPS_KEY } from './avp-key.ts';
import { ERROR_ANSWER_ABNF } from './base.ts';
import type { ApplicationDefinition, AvpDefinition, AvpRule, CommandDefinition } from './types.ts';

/** An AVP definition joined with what the codec needs: its key, flags, members and enum labels. */
export interface AvpSpec {
  readonly def: AvpDefinition;
  /** camelCase property name in typed messages. */
  readonly key: string;
  /** V and M bits to write (RFC 6733 §4.1). */
  readonly flags: number;
  /** Member rules when the AVP is Grouped. */
  members?: RuleSet;
  /** label → value for Enumerated AVPs. */
  enumValues?: Readonly<Record<string, number>>;
  /**
   * The values of `enumValues` as the decoder reads them (Integer32, so 0xFFFFFFFF is -1), for
   * the RFC 6733 §7.1.5 5004 check; undefined when the dictionary lists no values (nothing is
   * refused then).
   */
  enumCodes?: ReadonlySet<number>;
}

/** One ABNF rule bound to the AVP it names (undefined for the `AVP` wildcard). */
export interface CompiledRule extends AvpRule {
  readonly spec: AvpSpec | undefined;
  readonly key: string;
}

/** The rules of a command body or of a grouped AVP. */
export interface RuleSet {
  /** Named rules in ABNF order (the `AVP` wildcard excluded). */
  readonly rules: readonly CompiledRule[];
  /** Whether `*[ AVP ]` (or `{ AVP }`) admits AVPs the rules do not name. */
  readonly allowsAny: boolean;
  /** Rule per AVP spec, for decoding. */
  readonly bySpec: ReadonlyMap<AvpSpec, CompiledRule>;
  /** Rule per property key, for encoding. */
  readonly byKey: ReadonlyMap<string, CompiledRule>;
}

export interface CommandSpec {
  readonly def: CommandDefinition;
  readonly request: RuleSet;
  readonly answer: RuleSet;
}

const FLAG_V = 0x80;
const FLAG_M = 0x40;

/**
 * The joined dictionary: AVPs by code and vendor or by name, commands by application and code,
 * compiled ABNF rules. Applications are added in order; a name defined twice (User-Data is 606 in
 * Cx and 702 in Sh) resolves first in the application that uses it, then globally (first wins).
 * A later application's command with the same application id and code replaces an earlier one
 * (Rf's ACR replaces base accounting's).
 */
export class Dictionary {
  readonly applications: readonly ApplicationDefinition[];
  /** RFC 6733 §7.2 rules every answer with the E bit follows. */
  readonly errorAnswer: RuleSet;
  private readonly byVendor = new Map<number, Map<number, AvpSpec>>();
  private readonly byName = new Map<string, AvpSpec>();
  private readonly byAppName = new Map<ApplicationDefinition, Map<string, AvpSpec>>();
  private readonly byKey = new Map<string, AvpSpec>();
  private readonly byAppKey = new Map<number, Map<string, AvpSpec>>();
  private readonly commands = new Map<number, Map<number, CommandSpec>>();
  private readonly commandNames = new Map<string, CommandSpec>();

  constructor(applications: readonly ApplicationDefinition[]) {
    this.applications = applications;
    for (const app of applications) {
      const scope = new Map<string, AvpSpec>();
      this.byAppName.set(app, scope);
      for (const def of app.avps) {
        const existing = this.byVendor.get(def.vendorId)?.get(def.code);
        if (existing && existing.def.name !== def.name) {
          throw new Error(`AVP ${def.code}/${def.vendorId} defined as ${existing.def.name} and ${def.name}`);
        }
        const spec: AvpSpec = existing ?? {
          def,
          key: avpKey(def.name),
          flags: (def.vendorId !== 0 ? FLAG_V : 0) | (def.mandatory === 'must' ? FLAG_M : 0),
          // Every spec has the same shape, so the decoder's per-AVP reads stay monomorphic.
          members: undefined,
          enumValues: undefined,
          enumCodes: undefined,
        };
        if (spec.key === RAW_AVPS_KEY) throw new Error(`AVP name ${def.name} clashes with ${RAW_AVPS_KEY}`);
        let codes = this.byVendor.get(def.vendorId);
        if (!codes) this.byVendor.set(def.vendorId, (codes = new Map()));
        codes.set(def.code, spec);
        scope.set(def.name, spec);
        if (!this.byName.has(def.name)) this.byName.set(def.name, spec);
        if (!this.byKey.has(spec.key)) this.byKey.set(spec.key, spec);
        let keys = this.byAppKey.get(app.id);
        if (!keys) this.byAppKey.set(app.id, (keys = new Map()));
        keys.set(spec.key, spec);
      }
    }
    for (const app of applications) {
      for (const [name, values] of Object.entries(app.enums)) {
        const spec = this.resolve(name, app, 'enum');
        if (spec.def.type !== 'Enumerated')
          throw new Error(`${name} has enum values but is ${spec.def.type}`);
        spec.enumValues = { ...spec.enumValues, ...values };
        spec.enumCodes = new Set(Object.values(spec.enumValues).map((v) => v | 0));
      }
      for (const [name, abnf] of Object.entries(app.grouped)) {
        const spec = this.resolve(name, app, 'grouped');
        if (spec.def.type !== 'Grouped') throw new Error(`${name} has member rules but is ${spec.def.type}`);
        spec.members = this.compile(abnf, app, `grouped ${name}`);
      }
      for (const def of app.commands) {
        const spec: CommandSpec = {
          def,
          request: this.compile(def.request, app, `${def.abbreviations[0]}`),
          answer: this.compile(def.answer, app, `${def.abbreviations[1]}`),
        };
        let codes = this.commands.get(def.applicationId);
        if (!codes) this.commands.set(def.applicationId, (codes = new Map()));
        codes.set(def.code, spec);
        this.commandNames.set(def.name, spec);
        this.commandNames.set(def.abbreviations[0], spec);
        this.commandNames.set(def.abbreviations[1], spec);
      }
    }
    const base = applications.find((a) => a.id === 0);
    if (!base) throw new Error('a dictionary needs the base application (id 0)');
    this.errorAnswer = this.compile(ERROR_ANSWER_ABNF, base, 'error answer');
    for (const codes of this.byVendor.values()) {
      for (const spec of codes.values()) {
        if (spec.def.type === 'Grouped' && !spec.members) {
          throw new Error(`grouped AVP ${spec.def.name} has no member rules`);
        }
      }
    }
  }

  /** The AVP with this code and vendor (0 for IETF), if known. */
  avp(code: number, vendorId: number): AvpSpec | undefined {
    return this.byVendor.get(vendorId)?.get(code);
  }

  /** The AVP with this dictionary name, resolved in the given application first. */
  avpByName(name: string, applicationId?: number): AvpSpec | undefined {
    if (applicationId !== undefined) {
      for (const app of this.applications) {
        if (app.id !== applicationId) continue;
        const spec = this.byAppName.get(app)?.get(name);
        if (spec) return spec;
      }
    }
    return this.byName.get(name);
  }

  /** The AVP with this camelCase key, resolved in the given application first. */
  avpByKey(key: string, applicationId?: number): AvpSpec | undefined {
    return (
      (applicationId !== undefined ? this.byAppKey.get(applicationId)?.get(key) : undefined) ??
      this.byKey.get(key)
    );
  }

  /** The command with this application id and code (as in the header), if known. */
  command(applicationId: number, code: number): CommandSpec | undefined {
    return this.commands.get(applicationId)?.get(code);
  }

  /** A command by its name ('User-Authorization') or abbreviation ('UAR' or 'UAA'). */
  commandByName(name: string): CommandSpec | undefined {
    return this.commandNames.get(name);
  }

  /** Every known command. */
  allCommands(): CommandSpec[] {
    return [...this.commands.values()].flatMap((m) => [...m.values()]);
  }

  /** Every known AVP. */
  allAvps(): AvpSpec[] {
    return [...this.byVendor.values()].flatMap((m) => [...m.values()]);
  }

  /** Whether an application id is known (base 0 always is). */
  hasApplication(id: number): boolean {
    return this.applications.some((a) => a.id === id);
  }

  private resolve(name: string, app: ApplicationDefinition, context: string): AvpSpec {
    const spec = this.byAppName.get(app)?.get(name) ?? this.byName.get(name);
    if (!spec) throw new Error(`${app.name} ${context}: unknown AVP ${name}`);
    return spec;
  }

  private compile(abnf: string, app: ApplicationDefinition, context: string): RuleSet {
    const rules: CompiledRule[] = [];
    const bySpec = new Map<AvpSpec, CompiledRule>();
    const byKey = new Map<string, CompiledRule>();
    let allowsAny = false;
    for (const rule of parseAbnf(abnf, `${app.name} ${context}`)) {
      if (rule.name === 'AVP') {
        allowsAny = true;
        continue;
      }
      const spec = this.resolve(rule.name, app, context);
      if (bySpec.has(spec) || byKey.has(spec.key)) throw new Error(`${context}: ${rule.name} listed twice`);
      const compiled: CompiledRule = { ...rule, spec, key: spec.key };
      rules.push(compiled);
      bySpec.set(spec, compiled);
      byKey.set(spec.key, compiled);
    }
    return { rules, allowsAny, bySpec, byKey };
  }
}
