import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AvpValues, DiameterMessage } from '../../../src/diameter/codec/message.ts';
import { CommandFlag } from '../../../src/diameter/codec/raw-avp.ts';
import { DiameterAnswerError } from '../../../src/diameter/errors.ts';
import type { DiameterNode } from '../../../src/diameter/node.ts';
import { ResultCode } from '../../../src/diameter/result-code.ts';
import type {
  ProxiedAnswer,
  ProxiedRequest,
  ProxyAnswerDecision,
  ProxyRequestDecision,
} from '../../../src/diameter/routing/proxy-agent.ts';
import { CX, node, uarAvps, VSAI_CX } from '../helpers/nodes.ts';

const UAR = 300;

/**
 * client ──▶ proxy (route home.test → hss-a, hss-b) ──▶ hss-a | hss-b. The proxy's policy is
 * swapped by each test through `requestHook` and `answerHook`.
 */
describe('proxy agent policy hooks (RFC 6733 §2.8.2, §6.1.9)', () => {
  const nodes: DiameterNode[] = [];
  const seen = new Map<string, DiameterMessage[]>();
  let client: DiameterNode;
  let proxy: DiameterNode;
  let requestHook: (
    r: ProxiedRequest,
  ) => ProxyRequestDecision | undefined | Promise<ProxyRequestDecision | undefined>;
  let answerHook: (a: ProxiedAnswer) => ProxyAnswerDecision | undefined;
  const requests: ProxiedRequest[] = [];
  const answers: ProxiedAnswer[] = [];

  before(async () => {
    const hsss: DiameterNode[] = [];
    for (const name of ['hss-a', 'hss-b']) {
      const hss = node({
        originHost: `${name}.home.test`,
        originRealm: 'home.test',
        peers: [{ host: 'proxy.ims.test' }],
      });
      seen.set(hss.originHost, []);
      hss.handle(CX.id, UAR, (req) => {
        seen.get(hss.originHost)!.push(req);
        return {
          vendorSpecificApplicationId: VSAI_CX,
          authSessionState: 1,
          resultCode: ResultCode.DIAMETER_SUCCESS,
          serverName: `sip:scscf@${name}`,
        };
      });
      await hss.start();
      hsss.push(hss);
    }
    nodes.push(...hsss);
    proxy = node({
      originHost: 'proxy.ims.test',
      peers: [
        { host: 'client.ims.test' },
        ...hsss.map((h) => ({ host: h.originHost, address: '127.0.0.1', port: h.port })),
      ],
      routes: [{ realm: 'home.test', action: 'proxy', peers: hsss.map((h) => h.originHost) }],
    });
    proxy.proxy({
      request: (r) => {
        requests.push(r);
        return requestHook(r);
      },
      answer: (a) => {
        answers.push(a);
        return answerHook(a);
      },
    });
    await proxy.start();
    nodes.push(proxy);
    client = node({
      originHost: 'client.ims.test',
      listen: undefined,
      peers: [{ host: 'proxy.ims.test', address: '127.0.0.1', port: proxy.port }],
      routes: [{ realm: '*', action: 'relay', peers: ['proxy.ims.test'] }],
    });
    await client.start();
    nodes.push(client);
    await Promise.all([
      client.waitForPeer('proxy.ims.test'),
      ...hsss.map((h) => proxy.waitForPeer(h.originHost)),
    ]);
  });
  after(async () => {
    await Promise.all(nodes.map((n) => n.close()));
  });

  function reset(): void {
    requests.length = 0;
    answers.length = 0;
    for (const list of seen.values()) list.length = 0;
    requestHook = () => undefined;
    answerHook = () => undefined;
  }

  const uar = (user: string, extra: AvpValues = {}) =>
    client.request({
      applicationId: CX.id,
      commandCode: UAR,
      avps: { ...uarAvps(client, user), destinationRealm: 'home.test', ...extra },
    });

  it('a policy that decides nothing relays the request and the answer unchanged, with Route-Record', async () => {
    reset();
    const ans = await uar('alice');
    assert.equal(ans.avps.serverName, 'sip:scscf@hss-a');
    assert.equal(requests.length, 1);
    assert.equal(requests[0]?.from, 'client.ims.test');
    assert.equal(requests[0]?.nextHop, 'hss-a.home.test');
    assert.equal(requests[0]?.message.avps.userName, 'alice@ims.test');
    assert.equal(answers[0]?.from, 'hss-a.home.test');
    assert.equal(answers[0]?.message.avps.serverName, 'sip:scscf@hss-a');
    const atHss = seen.get('hss-a.home.test')![0]!;
    assert.deepEqual(atHss.avps.routeRecord, ['client.ims.test']);
  });

  it('changes AVPs of the request: one set, one removed; the next hop sees the result', async () => {
    reset();
    requestHook = () => ({
      action: 'forward',
      avps: { visitedNetworkIdentifier: Buffer.from('visited.test'), userAuthorizationType: undefined },
    });
    await uar('alice', { userAuthorizationType: 1 });
    const atHss = seen.get('hss-a.home.test')![0]!;
    assert.deepEqual(atHss.avps.visitedNetworkIdentifier, Buffer.from('visited.test'));
    assert.equal(atHss.avps.userAuthorizationType, undefined);
    assert.deepEqual(atHss.avps.routeRecord, ['client.ims.test']);
    assert.equal(atHss.avps.userName, 'alice@ims.test');
    // The answer hook is told of the request as relayed.
    assert.deepEqual(answers[0]?.request.avps.visitedNetworkIdentifier, Buffer.from('visited.test'));
  });

  it('answers locally with a permanent failure, without contacting the server', async () => {
    reset();
    requestHook = async (r) =>
      r.message.avps.userName === 'mallory@ims.test'
        ? { action: 'answer', resultCode: ResultCode.DIAMETER_AUTHORIZATION_REJECTED, errorMessage: 'barred' }
        : undefined;
    const ans = await uar('mallory');
    assert.equal(ans.avps.resultCode, ResultCode.DIAMETER_AUTHORIZATION_REJECTED);
    assert.equal(ans.avps.originHost, 'proxy.ims.test');
    // UAA has no Error-Message of its own: it comes under *[ AVP ], as a list.
    assert.deepEqual(ans.avps.errorMessage, ['barred']);
    assert.equal(ans.header.flags & CommandFlag.Error, 0);
    assert.deepEqual(ans.avps.vendorSpecificApplicationId, VSAI_CX, 'the application ids are echoed');
    assert.equal(seen.get('hss-a.home.test')!.length + seen.get('hss-b.home.test')!.length, 0);
    assert.equal(answers.length, 0);
  });

  it('answers locally with a protocol error (E bit)', async () => {
    reset();
    requestHook = () => ({ action: 'answer', resultCode: ResultCode.DIAMETER_TOO_BUSY });
    await assert.rejects(
      uar('alice'),
      (e: unknown) =>
        e instanceof DiameterAnswerError &&
        e.resultCode === ResultCode.DIAMETER_TOO_BUSY &&
        e.answer.avps.originHost === 'proxy.ims.test',
    );
  });

  it('chooses the next peer; a peer that is not available gets 3002', async () => {
    reset();
    requestHook = (r) =>
      r.message.avps.userName === 'bob@ims.test'
        ? { action: 'forward', peer: 'hss-b.home.test' }
        : { action: 'forward', peer: 'nowhere.home.test' };
    assert.equal((await uar('bob')).avps.serverName, 'sip:scscf@hss-b');
    await assert.rejects(
      uar('carol'),
      (e: unknown) =>
        e instanceof DiameterAnswerError &&
        e.resultCode === ResultCode.DIAMETER_UNABLE_TO_DELIVER &&
        e.answer.avps.errorReportingHost === 'proxy.ims.test',
    );
    assert.equal(seen.get('hss-a.home.test')!.length, 0);
  });

  it('changes AVPs of the answer on its way back', async () => {
    reset();
    answerHook = (a) => ({
      avps: { serverName: `${a.message.avps.serverName};proxied`, serverCapabilities: undefined },
    });
    const ans = await uar('alice');
    assert.equal(ans.avps.serverName, 'sip:scscf@hss-a;proxied');
    assert.equal(ans.avps.originHost, 'hss-a.home.test');
  });

  it('an answer hook that sets a protocol error Result-Code sets the E bit with it', async () => {
    reset();
    answerHook = () => ({ avps: { resultCode: ResultCode.DIAMETER_TOO_BUSY, serverName: undefined } });
    await assert.rejects(
      uar('alice'),
      (e: unknown) => e instanceof DiameterAnswerError && e.resultCode === ResultCode.DIAMETER_TOO_BUSY,
    );
  });

  it('a policy that throws, or asks for changes that break the ABNF, gives 5012', async () => {
    reset();
    requestHook = () => {
      throw new Error('policy bug');
    };
    let ans = await uar('alice');
    assert.equal(ans.avps.resultCode, ResultCode.DIAMETER_UNABLE_TO_COMPLY);
    requestHook = () => ({ action: 'forward', avps: { userName: undefined } });
    ans = await uar('alice');
    assert.equal(ans.avps.resultCode, ResultCode.DIAMETER_UNABLE_TO_COMPLY);
    assert.match(String(ans.avps.errorMessage), /User-Name/);
    reset();
    answerHook = () => {
      throw new Error('policy bug');
    };
    ans = await uar('alice');
    assert.equal(ans.avps.resultCode, ResultCode.DIAMETER_UNABLE_TO_COMPLY);
    assert.equal(ans.avps.originHost, 'proxy.ims.test');
    assert.equal(seen.get('hss-a.home.test')!.length, 1, 'the server did process the request');
  });
});
