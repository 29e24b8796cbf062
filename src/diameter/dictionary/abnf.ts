import type { AvpRule } from './types.ts';

// RFC 6733 §3.2: avp-spec rules
//   fixed    = [qual] "<" avp-spec ">"
//   required = [qual] "{" avp-spec "}"
//   optional = [qual] "[" avp-name "]"
//   qual     = [min] "*" [max]
// "If absent, the default value is zero for fixed and optional rules and one for required
// rules. The default value for max is infinity." A rule without qualifier occurs once at most
// (required: exactly once).
const RULE = /^(\d*\*\d*)?\s*([<{[])\s*([A-Za-z0-9][A-Za-z0-9-]*)\s*([>}\]])$/;
const CLOSE: Record<string, string> = { '<': '>', '{': '}', '[': ']' };

/** Parses ABNF rules, one per line (blank lines and `;` comments ignored). Throws on bad input. */
export function parseAbnf(text: string, context = 'ABNF'): AvpRule[] {
  const rules: AvpRule[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/;.*$/, '').trim();
    if (line === '') continue;
    const m = RULE.exec(line);
    if (!m || CLOSE[m[2]!] !== m[4]) throw new Error(`${context}: bad ABNF rule '${line}'`);
    const [, qual, open, name] = m as unknown as [string, string | undefined, string, string];
    const required = open !== '[';
    const fixed = open === '<';
    let min = open === '{' ? 1 : fixed ? 1 : 0;
    let max = 1;
    if (qual !== undefined) {
      const [lo, hi] = qual.split('*') as [string, string];
      min = lo === '' ? (open === '{' ? 1 : 0) : Number(lo);
      max = hi === '' ? Number.POSITIVE_INFINITY : Number(hi);
    }
    if (min > max) throw new Error(`${context}: min > max in '${line}'`);
    rules.push({ name, min, max, fixed, required });
  }
  return rules;
}
