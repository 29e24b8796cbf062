import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AvpValues, DiameterMessage } from '../../../src/diameter/codec/message.ts';
import { DiameterPeerError, NoCommonApplicationError } from '../../../src/diameter/errors.ts';
import { processCea, processCer } from '../../../src/diameter/peer/capabilities-exchange.ts';
import { ResultCode } from '../../../src/diameter/result-code.ts';

const CX = 16777216;
const SH = 16777217;

const local = {
  originHost: 'me.ims.test',
  originRealm: 'ims.test',
  hostIpAddresses: [],
  vendorId: 0,
  productName: 'test',
  originStateId: 1,
  applications: [{ id: CX, vendorId: 10415, kind: 'auth' as const }],
};

function message(avps: AvpValues): DiameterMessage {
  return {
    header: {
      version: 1,
      length: 0,
      flags: 0,
      commandCode: 257,
      applicationId: 0,
      hopByHopId: 1,
      endToEndId: 1,
    },
    avps: { originHost: 'hss.ims.test', originRealm: 'home.test', ...avps },
  };
}

const cx = { vendorSpecificApplicationId: [{ vendorId: 10415, authApplicationId: CX }] };
const sh = { vendorSpecificApplicationId: [{ vendorId: 10415, authApplicationId: SH }] };

describe('capabilities exchange (RFC 6733 §5.3, §5.6 Process-CER / Process-CEA)', () => {
  it('Process-CER keeps the applications in common and the realm announced', () => {
    assert.deepEqual(processCer(local, 'hss.ims.test', message(cx)), {
      ok: true,
      applications: [CX],
      realm: 'home.test',
    });
    const refused = processCer(local, 'hss.ims.test', message(sh));
    assert.ok(!refused.ok && refused.error instanceof NoCommonApplicationError);
    assert.equal(refused.ok ? 0 : refused.error.resultCode, ResultCode.DIAMETER_NO_COMMON_APPLICATION);
  });

  it('Process-CEA: 2001 from the host dialled with an application in common opens', () => {
    const ok = processCea(local, 'hss.ims.test', message({ resultCode: 2001, ...cx }));
    assert.deepEqual(ok, { ok: true, applications: [CX], realm: 'home.test' });
  });

  it('Process-CEA: 5010, or 2001 with nothing in common, is NoCommonApplicationError', () => {
    for (const avps of [
      { resultCode: 5010, ...cx },
      { resultCode: 2001, ...sh },
    ]) {
      const r = processCea(local, 'hss.ims.test', message(avps));
      assert.ok(!r.ok && r.error instanceof NoCommonApplicationError);
    }
  });

  it('Process-CEA: another Result-Code, or another Origin-Host, is a DiameterPeerError', () => {
    const busy = processCea(local, 'hss.ims.test', message({ resultCode: 3004, ...cx }));
    assert.ok(!busy.ok && busy.error instanceof DiameterPeerError && busy.error.resultCode === 3004);
    const impostor = processCea(local, 'other.ims.test', message({ resultCode: 2001, ...cx }));
    assert.ok(!impostor.ok && impostor.error instanceof DiameterPeerError);
  });
});
