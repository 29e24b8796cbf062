/**
 * PUR/PUA over Diameter, TS 29.328 §6.1.2.1: repository data created, updated and deleted with
 * the Sequence-Number rules, and every error case. On every backend.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { answerResult } from '../../../src/diameter/apps/result.ts';
import { DataReference } from '../../../src/diameter/apps/sh.ts';
import { ExperimentalResultCode as E, ResultCode } from '../../../src/diameter/result-code.ts';
import { backends, connectClient, useEnv } from './helpers/hss-env.ts';
import { impu, repositoryXml, subscriber } from './helpers/hss-subscribers.ts';

const experimental = (code: number) => ({ code, vendorId: 10415, success: code < 3000 });

for (const backend of backends()) {
  describe(`Sh PUR (${backend.name})`, () => {
    const env = useEnv(backend, { sh: { maxRepositoryDataBytes: 64 } });
    const pur = (identity: string, userData: Buffer, dataReference: number = DataReference.RepositoryData) =>
      env.sh.profileUpdate({ userIdentity: { publicIdentity: identity }, dataReference, userData });

    it('creates with 0, updates with the next number, deletes without ServiceData', async () => {
      await env.store.createSubscription(subscriber('pur-a'));
      const stored = () => env.store.getRepositoryData(impu('pur-a'), 'mmtel');
      assert.equal(
        answerResult(await pur(impu('pur-a'), repositoryXml('mmtel', 0, '<a>1</a>'))).code,
        ResultCode.DIAMETER_SUCCESS,
      );
      assert.deepEqual(await stored(), { serviceIndication: 'mmtel', sequenceNumber: 0, data: '<a>1</a>' });
      assert.equal(
        answerResult(await pur(impu('pur-a'), repositoryXml('mmtel', 1, '<a>2</a>'))).code,
        ResultCode.DIAMETER_SUCCESS,
      );
      assert.deepEqual(await stored(), { serviceIndication: 'mmtel', sequenceNumber: 1, data: '<a>2</a>' });
      assert.equal(
        answerResult(await pur(impu('pur-a'), repositoryXml('mmtel', 2))).code,
        ResultCode.DIAMETER_SUCCESS,
      );
      assert.equal(await stored(), undefined);
    });

    it('DIAMETER_ERROR_TRANSPARENT_DATA_OUT_OF_SYNC for a number that does not follow, or a delete of nothing', async () => {
      await env.store.createSubscription(subscriber('pur-b'));
      const out = experimental(E.DIAMETER_ERROR_TRANSPARENT_DATA_OUT_OF_SYNC);
      assert.deepEqual(
        answerResult(await pur(impu('pur-b'), repositoryXml('si', 3, '<x/>'))),
        out,
        'new data must be 0',
      );
      assert.equal(answerResult(await pur(impu('pur-b'), repositoryXml('si', 0, '<x/>'))).success, true);
      assert.deepEqual(
        answerResult(await pur(impu('pur-b'), repositoryXml('si', 0, '<y/>'))),
        out,
        'stale 0',
      );
      assert.deepEqual(
        answerResult(await pur(impu('pur-b'), repositoryXml('si', 2, '<y/>'))),
        out,
        'skips one',
      );
      assert.deepEqual(
        answerResult(await pur(impu('pur-b'), repositoryXml('gone', 1))),
        out,
        'delete of nothing',
      );
      assert.equal((await env.store.getRepositoryData(impu('pur-b'), 'si'))?.data, '<x/>');
    });

    it('errors: USER_UNKNOWN, USER_DATA_NOT_RECOGNIZED, TOO_MUCH_DATA, USER_DATA_CANNOT_BE_MODIFIED', async () => {
      await env.store.createSubscription(subscriber('pur-c'));
      assert.deepEqual(
        answerResult(await pur('sip:pur-nobody@ims.test', repositoryXml('si', 0, '<x/>'))),
        experimental(E.DIAMETER_ERROR_USER_UNKNOWN),
      );
      for (const bad of [
        'not xml',
        '<Other/>',
        '<Sh-Data><RepositoryData><SequenceNumber>0</SequenceNumber></RepositoryData></Sh-Data>',
      ])
        assert.deepEqual(
          answerResult(await pur(impu('pur-c'), Buffer.from(bad))),
          experimental(E.DIAMETER_ERROR_USER_DATA_NOT_RECOGNIZED),
          bad,
        );
      assert.deepEqual(
        answerResult(await pur(impu('pur-c'), repositoryXml('si', 0, `<x>${'y'.repeat(100)}</x>`))),
        experimental(E.DIAMETER_ERROR_TOO_MUCH_DATA),
      );
      assert.deepEqual(
        answerResult(await pur(impu('pur-c'), repositoryXml('si', 0, '<x/>'), DataReference.IMSUserState)),
        experimental(E.DIAMETER_ERROR_USER_DATA_CANNOT_BE_MODIFIED),
      );
      await env.store.putApplicationServer({
        name: 'reader',
        serverName: 'sip:reader.ims.test',
        defaultHandling: 0,
        diameterHost: 'reader-as.ims.test',
        shPermissions: { read: [0], update: [], subscribe: [] },
      });
      const reader = await connectClient(env, 'reader-as.ims.test');
      try {
        const refused = await reader.sh.profileUpdate({
          userIdentity: { publicIdentity: impu('pur-c') },
          dataReference: DataReference.RepositoryData,
          userData: repositoryXml('si', 0, '<x/>'),
        });
        assert.deepEqual(answerResult(refused), experimental(E.DIAMETER_ERROR_USER_DATA_CANNOT_BE_MODIFIED));
      } finally {
        await reader.node.close();
      }
      assert.equal(await env.store.getRepositoryData(impu('pur-c'), 'si'), undefined);
    });
  });
}
