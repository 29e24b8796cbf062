import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import type { AvpValues, DiameterMessage } from '../../../src/diameter/codec/message.ts';
import { DiameterAnswerError } from '../../../src/diameter/errors.ts';
import type { DiameterNode } from '../../../src/diameter/node.ts';
import { PeerState } from '../../../src/diameter/peer/peer-state.ts';
import { ResultCode } from '../../../src/diameter/result-code.ts';
import { RedirectHostUsage } from '../../../src/diameter/routing/redirect-cache.ts';
import { CX, node, uarAvps, VSAI_CX, waitFor } from '../helpers/nodes.ts';

const nodes: DiameterNode[] = [];
function track(n: DiameterNode): DiameterNode {
  nodes.push(n);
  return n;
}
after(async () => {
  await Promise.all(nodes.map((n) => n.close()));
});

const UAR = 300;
const LIR = 302;

function lirAvps(n: DiameterNode, user: string): AvpValues {
  return {
    sessionId: n.newSessionId(),
    vendorSpecificApplicationId: VSAI_CX,
    authSessionState: 1,
    destinationRealm: 'ims.test',
    publicIdentity: `sip:${user}@ims.test`,
  };
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

interface Options {
  usage: number;
  maxCacheTime?: number;
  idleTimeout?: number;
  /** Redirect-Hosts put before the right HSS (unreachable ones, for instance). */
  before?: () => string[];
  /** Runs in the SLF as it redirects. */
  onRedirect?: () => void;
}

/**
 * The SLF deployment of TS 23.228 §5.8.1: a client (an I-CSCF) that knows only the SLF, a
 * redirect agent that answers 3006 naming the HSS of the user, and two HSSs on 127.0.0.1.
 */
async function slfAndTwoHss(tag: string, options: Options) {
  const clientHost = `icscf-${tag}.ims.test`;
  const hss1 = track(node({ originHost: `hss1-${tag}.ims.test`, peers: [{ host: clientHost }] }));
  const hss2 = track(node({ originHost: `hss2-${tag}.ims.test`, peers: [{ host: clientHost }] }));
  await Promise.all([hss1.start(), hss2.start()]);
  const served = new Map<DiameterNode, string[]>([
    [hss1, []],
    [hss2, []],
  ]);
  for (const hss of [hss1, hss2]) {
    const answer = (req: DiameterMessage): AvpValues => {
      served.get(hss)!.push(`${req.header.commandCode === UAR ? 'UAR' : 'LIR'} ${req.avps.publicIdentity}`);
      return {
        vendorSpecificApplicationId: VSAI_CX,
        authSessionState: 1,
        resultCode: ResultCode.DIAMETER_SUCCESS,
        serverName: `sip:scscf.${hss.originHost}`,
      };
    };
    hss.handle(CX.id, UAR, answer);
    hss.handle(CX.id, LIR, answer);
  }
  const slf = track(node({ originHost: `slf-${tag}.ims.test`, peers: [{ host: clientHost }] }));
  await slf.start();
  const askedSlf: string[] = [];
  slf.redirect(CX.id, (req) => {
    const user = req.avps.publicIdentity as string;
    askedSlf.push(user);
    options.onRedirect?.();
    const hss = user.startsWith('sip:alice') ? hss1 : hss2;
    return {
      hosts: [...(options.before?.() ?? []), `aaa://${hss.originHost}:${hss.port};transport=tcp`],
      usage: options.usage,
      ...(options.maxCacheTime !== undefined ? { maxCacheTime: options.maxCacheTime } : {}),
    };
  });
  const client = track(
    node({
      originHost: clientHost,
      listen: undefined,
      peers: [{ host: slf.originHost, address: '127.0.0.1', port: slf.port }],
      dynamicPeers: {
        resolve: () => '127.0.0.1',
        ...(options.idleTimeout !== undefined ? { idleTimeout: options.idleTimeout } : {}),
      },
    }),
  );
  await client.start();
  await client.waitForPeer(slf.originHost);
  const uar = async (user: string) =>
    (await client.request({ applicationId: CX.id, commandCode: UAR, avps: uarAvps(client, user) })).avps
      .serverName;
  const lir = async (user: string) =>
    (await client.request({ applicationId: CX.id, commandCode: LIR, avps: lirAvps(client, user) })).avps
      .serverName;
  return { client, slf, hss1, hss2, served, askedSlf, uar, lir };
}

describe('redirects to hosts that are not peers yet (RFC 6733 §6.1.8, §6.12-6.14)', () => {
  it('SLF in front of two HSSs: A ends at HSS1, B at HSS2, the second request for A skips the SLF', async () => {
    const { client, hss1, hss2, served, askedSlf, uar, lir } = await slfAndTwoHss('a', {
      usage: RedirectHostUsage.ALL_USER,
      maxCacheTime: 60,
    });
    assert.equal(client.peer(hss1.originHost), undefined, 'the client starts knowing only the SLF');

    assert.equal(await uar('alice'), `sip:scscf.${hss1.originHost}`);
    assert.equal(await uar('bob'), `sip:scscf.${hss2.originHost}`);
    assert.deepEqual(askedSlf, ['sip:alice@ims.test', 'sip:bob@ims.test']);

    // ALL_USER: the route is cached for the user; the request goes straight to HSS1.
    assert.equal(await uar('alice'), `sip:scscf.${hss1.originHost}`);
    // A LIR names the user by Public-Identity only: the same cached route applies.
    assert.equal(await lir('alice'), `sip:scscf.${hss1.originHost}`);
    assert.deepEqual(askedSlf, ['sip:alice@ims.test', 'sip:bob@ims.test'], 'the SLF was not asked again');
    assert.deepEqual(served.get(hss1), [
      'UAR sip:alice@ims.test',
      'UAR sip:alice@ims.test',
      'LIR sip:alice@ims.test',
    ]);
    assert.deepEqual(served.get(hss2), ['UAR sip:bob@ims.test']);

    // The HSSs are dynamic entries of the peer table (§2.6), opened by CER/CEA with our identity.
    for (const hss of [hss1, hss2]) {
      const peer = client.peer(hss.originHost);
      assert.equal(peer?.usable, true);
      assert.equal(client.isDynamicPeer(hss.originHost), true);
      assert.deepEqual(peer?.applications, [CX.id]);
      assert.equal(hss.peer(client.originHost)?.state, PeerState.ROpen);
    }
    assert.equal(client.isDynamicPeer('slf-a.ims.test'), false);
  });

  it('ALL_HOST: whatever would go to the SLF goes to the host it named, other users included', async () => {
    const { hss1, served, askedSlf, uar } = await slfAndTwoHss('h', {
      usage: RedirectHostUsage.ALL_HOST,
      maxCacheTime: 60,
    });
    await uar('alice');
    assert.equal(await uar('bob'), `sip:scscf.${hss1.originHost}`);
    assert.deepEqual(askedSlf, ['sip:alice@ims.test']);
    assert.deepEqual(served.get(hss1), ['UAR sip:alice@ims.test', 'UAR sip:bob@ims.test']);
  });

  it('DONT_CACHE: every request asks the SLF again, but the connection to the HSS is kept', async () => {
    const { client, hss1, askedSlf, uar } = await slfAndTwoHss('b', { usage: RedirectHostUsage.DONT_CACHE });
    await uar('alice');
    const peer = client.peer(hss1.originHost);
    assert.ok(peer);
    await uar('alice');
    assert.equal(askedSlf.length, 2);
    assert.equal(client.peer(hss1.originHost), peer, 'the same peer (and connection) is reused');
    assert.equal(client.redirects.size, 0);
  });

  it('a redirect to a dynamic peer that is closing waits for it to go and connects again', async () => {
    let closing: Promise<void> | undefined;
    let close = () => {};
    const { client, hss1, uar } = await slfAndTwoHss('i', {
      usage: RedirectHostUsage.DONT_CACHE,
      onRedirect: () => close(),
    });
    await uar('alice');
    const first = client.peer(hss1.originHost)!;
    // The client's DPR leaves just before the SLF's 3006: the redirect usually finds the peer
    // in Closing (and otherwise already gone); either way a new connection serves it.
    close = () => {
      closing = first.stop();
    };
    assert.equal(await uar('alice'), `sip:scscf.${hss1.originHost}`);
    assert.ok(closing);
    await closing;
    const second = client.peer(hss1.originHost);
    assert.notEqual(second, first);
    assert.equal(second?.usable, true);
  });

  it('a non-zero usage without Redirect-Max-Cache-Time is followed but not cached (§6.14)', async () => {
    const { client, askedSlf, uar } = await slfAndTwoHss('c', { usage: RedirectHostUsage.ALL_USER });
    await uar('alice');
    await uar('alice');
    assert.equal(askedSlf.length, 2);
    assert.equal(client.redirects.size, 0);
  });

  it('an unreachable Redirect-Host is skipped for the next one', async () => {
    const dead = await closedPort();
    const { client, hss1, uar } = await slfAndTwoHss('d', {
      usage: RedirectHostUsage.ALL_USER,
      maxCacheTime: 60,
      before: () => [`aaa://ghost-d.ims.test:${dead};transport=tcp`, 'aaa://sctp-d.ims.test;transport=sctp'],
    });
    assert.equal(await uar('alice'), `sip:scscf.${hss1.originHost}`);
    assert.equal(client.peer('ghost-d.ims.test'), undefined, 'a failed dynamic peer leaves the table');
    assert.equal(client.peer('sctp-d.ims.test'), undefined);
  });

  it('when no Redirect-Host can be reached the caller gets the 3006 answer', async () => {
    const { client, hss1, uar } = await slfAndTwoHss('e', { usage: RedirectHostUsage.DONT_CACHE });
    await hss1.close();
    await assert.rejects(
      uar('alice'),
      (e: unknown) =>
        e instanceof DiameterAnswerError &&
        e.resultCode === ResultCode.DIAMETER_REDIRECT_INDICATION &&
        (e.answer.avps.redirectHost as string[]).length === 1,
    );
    assert.equal(client.peer(hss1.originHost), undefined);
  });

  it('an idle dynamic peer is closed with DPR and its cached routes dropped', async () => {
    const { client, hss1, askedSlf, uar } = await slfAndTwoHss('f', {
      usage: RedirectHostUsage.ALL_USER,
      maxCacheTime: 60,
      idleTimeout: 300,
    });
    await uar('alice');
    assert.ok(client.redirects.size > 0);
    const hssSide = hss1.peer(client.originHost)!;
    await waitFor(() => client.peer(hss1.originHost) === undefined, 8000, 'the idle peer to go');
    assert.equal(client.redirects.size, 0, '§6.14: the cache entries of the host are deleted');
    await waitFor(() => hssSide.state === PeerState.Closed, 8000, 'the HSS side to close');
    assert.equal(hssSide.counters.dprReceived, 1);

    // The next request goes through the SLF again and opens a new connection.
    assert.equal(await uar('alice'), `sip:scscf.${hss1.originHost}`);
    assert.equal(askedSlf.length, 2);
    assert.equal(client.peer(hss1.originHost)?.usable, true);
  });

  it('a dynamic peer that goes away takes its cached routes with it (§6.14)', async () => {
    const { client, hss1, hss2, askedSlf, uar } = await slfAndTwoHss('g', {
      usage: RedirectHostUsage.ALL_USER,
      maxCacheTime: 60,
    });
    await uar('alice');
    await uar('bob');
    const cached = client.redirects.size;
    await hss1.close();
    await waitFor(() => client.peer(hss1.originHost) === undefined, 8000, 'HSS1 to leave the table');
    assert.ok(client.redirects.size < cached);
    // Bob's route still holds.
    assert.equal(await uar('bob'), `sip:scscf.${hss2.originHost}`);
    assert.equal(askedSlf.length, 2);
  });
});
