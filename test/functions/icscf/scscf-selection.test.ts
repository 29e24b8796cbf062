/** S-CSCF selection by Server-Capabilities (TS 29.228 §6.7, TS 23.228 §5.8.1), weights, failures. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateConfig } from '../../../src/config/load.ts';
import { icscfConfigSchema } from '../../../src/functions/icscf/config.ts';
import { ScscfSelector, sameServer } from '../../../src/functions/icscf/scscf-selection.ts';

const scscfs = (list: { uri: string; capabilities?: number[]; weight?: number }[]) =>
  validateConfig(icscfConfigSchema, { scscfs: list }).scscfs;

const A = 'sip:a.ims.test:6060';
const B = 'sip:b.ims.test:6060';
const C = 'sip:c.ims.test';

describe('ScscfSelector', () => {
  const three = scscfs([
    { uri: A, capabilities: [1, 2] },
    { uri: B, capabilities: [1, 3, 4] },
    { uri: C, capabilities: [] },
  ]);

  it('only S-CSCFs offering every mandatory capability', () => {
    const s = new ScscfSelector(three);
    for (let i = 0; i < 20; i++) assert.equal(s.select({ mandatoryCapability: [3] }), B);
    assert.equal(s.select({ mandatoryCapability: [1, 2] }), A);
    assert.equal(s.select({ mandatoryCapability: [9] }), undefined);
  });

  it('then the most optional capabilities', () => {
    const s = new ScscfSelector(three);
    assert.equal(s.select({ mandatoryCapability: [1], optionalCapability: [3, 4, 2] }), B);
    assert.equal(s.select({ optionalCapability: [2] }), A);
  });

  it('Server-Names the HSS gives in Server-Capabilities come first, unless tried', () => {
    const s = new ScscfSelector(three);
    assert.equal(s.select({ serverName: ['sip:x.ims.test'], mandatoryCapability: [3] }), 'sip:x.ims.test');
    assert.equal(
      s.select({ serverName: ['sip:x.ims.test'], mandatoryCapability: [3] }, ['sip:x.ims.test']),
      B,
    );
  });

  it('weighted random among equals; tried ones excluded (port 5060 is the default)', () => {
    const list = scscfs([
      { uri: A, weight: 1 },
      { uri: B, weight: 3 },
    ]);
    assert.equal(new ScscfSelector(list, { random: () => 0.2 }).select(undefined), A);
    assert.equal(new ScscfSelector(list, { random: () => 0.3 }).select(undefined), B);
    assert.equal(
      new ScscfSelector(list, { random: () => 0.99 }).select(undefined, ['sip:B.ims.test:6060']),
      A,
    );
    assert.ok(sameServer('sip:c.ims.test', 'sip:c.ims.test:5060;transport=udp'));
    assert.ok(!sameServer('sip:c.ims.test', 'sips:c.ims.test'));
  });

  it('an S-CSCF that failed goes last for a while, then is back', () => {
    let now = 0;
    const list = scscfs([{ uri: A, weight: 1000 }, { uri: B }]);
    const s = new ScscfSelector(list, { random: () => 0, now: () => now, failurePenaltyMs: 1000 });
    assert.equal(s.select(undefined), A);
    s.markFailed(A);
    assert.equal(s.select(undefined), B);
    assert.equal(s.select(undefined, [B]), A, 'still used when nothing else is left');
    now = 1500;
    assert.equal(s.select(undefined), A);
    s.markFailed(A);
    s.markAnswered(A);
    assert.equal(s.select(undefined), A);
  });
});
