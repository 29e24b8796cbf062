import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAbnf } from '../../../src/diameter/dictionary/abnf.ts';
import { avpKey } from '../../../src/diameter/dictionary/avp-key.ts';
import { createStandardDictionary } from '../../../src/diameter/dictionary/standard.ts';

const dict = createStandardDictionary();
const data = new URL('../../../src/diameter/dictionary/data/', import.meta.url).pathname;

// Types the cross-checked source wrote loosely for base AVPs, and what RFC 6733 §4.5 says.
const BASE_TYPE_FIXES: Record<string, string> = {
  Integer32: 'Enumerated|Unsigned32',
  AppId: 'Unsigned32',
  IPAddress: 'OctetString',
  UTF8String: 'UTF8String|DiameterIdentity',
};

describe('dictionaries match the cross-checked vectors', () => {
  const rows = readFileSync(join(data, 'diameter-avps.tsv'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => l.split('\t'));

  it('every AVP of diameter-avps.tsv has the same code, vendor and type here', () => {
    for (const [name, code, vendor, type, app] of rows as string[][]) {
      const spec = dict.avp(Number(code), Number(vendor));
      assert.ok(spec, `${name} ${code}/${vendor} missing`);
      assert.equal(spec.def.name, name, `${code}/${vendor}`);
      if (app!.startsWith('Base')) {
        // RFC 7944 §9.1: DRMP is Enumerated (the source row says OctetString).
        const allowed = name === 'DRMP' ? ['Enumerated'] : (BASE_TYPE_FIXES[type!] ?? type!).split('|');
        assert.ok(allowed.includes(spec.def.type), `${name}: ${spec.def.type} vs ${type}`);
      } else {
        assert.equal(spec.def.type, type, name);
      }
    }
  });

  it('every command of diameter-commands.tsv has its code and application id', () => {
    const lines = readFileSync(join(data, 'diameter-commands.tsv'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'));
    assert.equal(lines.length, 14);
    for (const line of lines) {
      const [, appId, , abbrev, code] = line.split('\t') as string[];
      const [req, ans] = abbrev!.split('/');
      const cmd = dict.command(Number(appId), Number(code));
      assert.ok(cmd, `${abbrev} missing`);
      assert.deepEqual(cmd.def.abbreviations, [req, ans]);
    }
  });

  it('enumerated values of diameter-enums.json are known with the same numbers', () => {
    const json = JSON.parse(readFileSync(join(data, 'diameter-enums.json'), 'utf8')) as {
      enumerations: Record<string, { code: number; vendor: number; values: Record<string, string> }>;
    };
    for (const [name, e] of Object.entries(json.enumerations)) {
      const spec = dict.avp(e.code, e.vendor);
      assert.equal(spec?.def.name, name);
      const values = new Set(Object.values(spec.enumValues ?? {}));
      for (const [v, label] of Object.entries(e.values)) {
        if (/Undefined|Reserved/.test(label)) continue;
        assert.ok(values.has(Number(v)), `${name} ${v} ${label}`);
      }
    }
  });

  it('AVP codes agree with the Wireshark dictionaries when they are installed', (t) => {
    const dir = '/usr/share/wireshark/diameter';
    if (!existsSync(dir)) {
      t.skip('Wireshark dictionaries not installed');
      return;
    }
    const known = new Map<string, string>();
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.xml'))) {
      const text = readFileSync(join(dir, f), 'latin1');
      const vendors = new Map<string, string>();
      for (const m of text.matchAll(/<vendor\s+vendor-id="([^"]+)"\s+code="(\d+)"/g))
        vendors.set(m[1]!, m[2]!);
      for (const m of text.matchAll(/<avp\s+name="([^"]+)"\s+code="(\d+)"([^>]*)>/g)) {
        const vendorAttr = /vendor-id="([^"]+)"/.exec(m[3]!)?.[1];
        const vendor =
          vendorAttr === 'TGPP' ? '10415' : vendorAttr ? (vendors.get(vendorAttr) ?? vendorAttr) : '0';
        known.set(`${m[2]}/${vendor}`, m[1]!);
      }
    }
    // Absent from Wireshark 4.0: single-source in diameter-avps.tsv, or (the last three, TS 32.299)
    // checked against go-diameter's tgpp_ro_rf.xml only.
    const singleSource = new Set(['RTR-Flags', 'Call-Reference-Info', 'Call-Reference-Number', 'AS-Number']);
    for (const n of [
      'Media-Component-Status',
      'Status-AS-Code',
      'Transit-IOI-List',
      'IMS-Emergency-Indicator',
    ]) {
      singleSource.add(n);
    }
    const missing = dict
      .allAvps()
      .filter((s) => !known.has(`${s.def.code}/${s.def.vendorId}`) && !singleSource.has(s.def.name))
      .map((s) => `${s.def.name} ${s.def.code}/${s.def.vendorId}`);
    assert.deepEqual(missing, []);
  });
});

describe('ABNF parsing (RFC 6733 §3.2)', () => {
  it('reads fixed, required, optional rules and qualifiers', () => {
    const rules = parseAbnf(
      '< Session-Id >\n{ Origin-Host }\n1*{ Host-IP-Address }\n0*2[ Flow-Description ]\n*[ AVP ]\n*{ X }',
    );
    assert.deepEqual(
      rules.map((r) => [r.name, r.min, r.max, r.fixed, r.required]),
      [
        ['Session-Id', 1, 1, true, true],
        ['Origin-Host', 1, 1, false, true],
        ['Host-IP-Address', 1, Number.POSITIVE_INFINITY, false, true],
        ['Flow-Description', 0, 2, false, false],
        ['AVP', 0, Number.POSITIVE_INFINITY, false, false],
        ['X', 1, Number.POSITIVE_INFINITY, false, true],
      ],
    );
    assert.throws(() => parseAbnf('{ Origin-Host ]'));
  });

  it('derives camelCase keys from AVP names', () => {
    assert.equal(avpKey('SIP-Auth-Data-Item'), 'sipAuthDataItem');
    assert.equal(avpKey('Feature-List-ID'), 'featureListId');
    assert.equal(avpKey('Origin-Host'), 'originHost');
    assert.equal(avpKey('3GPP-Charging-Id'), '3gppChargingId');
  });
});
