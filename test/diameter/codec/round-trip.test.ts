import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeMessage } from '../../../src/diameter/codec/message-decoder.ts';
import { encodeMessage } from '../../../src/diameter/codec/message-encoder.ts';
import { CommandFlag } from '../../../src/diameter/codec/raw-avp.ts';
import { createStandardDictionary } from '../../../src/diameter/dictionary/standard.ts';
import { sampleGroup } from '../helpers/sample-values.ts';

const dict = createStandardDictionary();

describe('round trip of every command in the dictionaries', () => {
  for (const command of dict.allCommands()) {
    const { def } = command;
    for (const [kind, rules, flags] of [
      ['request', command.request, CommandFlag.Request | (def.proxiable ? CommandFlag.Proxiable : 0)],
      ['answer', command.answer, def.proxiable ? CommandFlag.Proxiable : 0],
      ['error answer', dict.errorAnswer, CommandFlag.Error | (def.proxiable ? CommandFlag.Proxiable : 0)],
    ] as const) {
      const name = kind === 'request' ? def.abbreviations[0] : def.abbreviations[1];
      it(`${name} (${def.clause}, app ${def.applicationId}) ${kind} with every AVP its ABNF names`, () => {
        const avps = sampleGroup(rules);
        const header = {
          flags,
          commandCode: def.code,
          applicationId: def.applicationId,
          hopByHopId: 7,
          endToEndId: 9,
        };
        const bytes = encodeMessage({ header, avps }, dict);
        assert.equal(bytes.length % 4, 0);
        const decoded = decodeMessage(bytes, dict);
        assert.deepEqual(decoded.header, { ...header, version: 1, length: bytes.length });
        assert.deepEqual(decoded.avps, avps);
        // Re-encoding the decoded message gives the same bytes.
        assert.deepEqual(encodeMessage(decoded, dict), bytes);
      });
    }
  }
});
