import type { AvpValue, AvpValues } from '../../../src/diameter/codec/message.ts';
import type { AvpSpec, RuleSet } from '../../../src/diameter/dictionary/dictionary.ts';

/** A value of the AVP's type that survives a round trip exactly. `n` varies it between occurrences. */
export function sampleValue(spec: AvpSpec, n = 0, depth = 0): AvpValue {
  switch (spec.def.type) {
    case 'OctetString':
      return Buffer.from(`${spec.def.name}#${n}\u0000\u00ff`, 'latin1');
    case 'Integer32':
      return -123456 - n;
    case 'Unsigned32':
      return 4000000000 + n;
    case 'Enumerated': {
      const values = Object.values(spec.enumValues ?? { x: 1 });
      return values[n % values.length]!;
    }
    case 'Integer64':
      return -(2n ** 40n) - BigInt(n);
    case 'Unsigned64':
      return 2n ** 63n + 5n + BigInt(n);
    case 'Float32':
      return 1.5 + n;
    case 'Float64':
      return Math.PI + n;
    case 'Address':
      return n % 2 === 0 ? '192.0.2.1' : '2001:db8::1';
    case 'Time':
      return new Date(Date.UTC(2024, 0, 2, 3, 4, 5 + n));
    case 'UTF8String':
      return `${spec.def.name} é ✓ ${n}`;
    case 'DiameterIdentity':
      return `host${n}.ims.test`;
    case 'DiameterURI':
      return `aaa://host${n}.ims.test:3868;transport=tcp`;
    case 'IPFilterRule':
      return 'permit out 17 from 192.0.2.1 to 198.51.100.2 5004';
    case 'Grouped':
      return sampleGroup(spec.members!, depth + 1);
  }
}

/** Every AVP a rule set names, each as many times as allowed (up to 2), plus an unknown raw AVP. */
export function sampleGroup(rules: RuleSet, depth = 0): AvpValues {
  const out: AvpValues = {};
  for (const rule of rules.rules) {
    const spec = rule.spec!;
    if (spec.def.type === 'Grouped' && depth > 3 && rule.min === 0) continue;
    if (rule.max === 1) out[rule.key] = sampleValue(spec, 0, depth);
    else {
      const n = Math.max(rule.min, Math.min(rule.max, 2));
      out[rule.key] = Array.from({ length: n }, (_, i) => sampleValue(spec, i, depth));
    }
  }
  if (rules.allowsAny) {
    out.rawAvps = [{ code: 999999, flags: 0x80, vendorId: 99, data: Buffer.from([1, 2, 3]) }];
  }
  return out;
}
