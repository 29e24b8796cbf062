// Our side of the freeDiameter interop test, run inside the test's network namespace:
//   ip netns exec NS node --import tsx test/diameter/interop/fd-scenario.ts <mode> <ourAddr> <fdAddr>
// mode 'we-connect': we open the connection (CER), exchange watchdogs both ways, send a Cx UAR,
//   then the same with Destination-Host set to freeDiameter, then disconnect with DPR. mode 'fd-connects': we listen, freeDiameter connects; once it has
//   sent a DWR we print {"event":"ready"} and wait for its DPR (the test stops freeDiameterd).
// Prints one JSON line per event on stdout.
import { DiameterAnswerError } from '../../../src/diameter/errors.ts';
import { DiameterNode } from '../../../src/diameter/node.ts';
import { PeerState } from '../../../src/diameter/peer/peer-state.ts';

const [mode, ourAddr, fdAddr] = process.argv.slice(2) as [string, string, string];
const FD = 'fd.ims.test';
const say = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);

async function until(predicate: () => boolean, ms: number, what: string): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > ms) throw new Error(`timeout: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const node = new DiameterNode({
  originHost: 'node.ims.test',
  originRealm: 'ims.test',
  hostIpAddresses: [ourAddr],
  applications: [{ id: 16777216, vendorId: 10415, kind: 'auth' }],
  productName: 'ims-core interop',
  // we-connect: our Tw (1 s) is shorter than freeDiameter's (>= 6 s): we send the DWRs.
  // fd-connects: ours is longer: freeDiameter sends them, and its DWRs keep restarting our Tw.
  twInit: mode === 'we-connect' ? 1000 : 30_000,
  tcMin: 200,
  tc: 2000,
  requestTimeout: 3000,
  ...(mode === 'fd-connects'
    ? { listen: { address: ourAddr, port: 3868 }, peers: [{ host: FD }] }
    : { peers: [{ host: FD, address: fdAddr, port: 3868, localAddress: ourAddr }] }),
});

try {
  await node.start();
  const peer = await node.waitForPeer(FD, 20_000);
  say({ event: 'open', state: peer.state, applications: peer.applications, realm: peer.realm });
  if (mode === 'we-connect')
    await until(() => peer.counters.dwaReceived >= 2, 10_000, 'DWAs from freeDiameter');
  else await until(() => peer.counters.dwrReceived >= 1, 15_000, 'a DWR from freeDiameter');
  say({ event: 'watchdog', ...peer.counters, watchdog: peer.watchdogState });
  if (mode === 'we-connect') {
    // freeDiameter's routing-in (libfdcore/routing_dispatch.c, msg_rt_in): a request naming it
    // as Destination-Host for an application it has no handler for is refused with 3007
    // DIAMETER_APPLICATION_UNSUPPORTED; without Destination-Host it tries to relay (it
    // advertises Relay) and, with no route, answers 3002 DIAMETER_UNABLE_TO_DELIVER.
    const uar = async (destinationHost?: string): Promise<object> => {
      try {
        const a = await node.request({
          applicationId: 16777216,
          commandCode: 300,
          avps: {
            sessionId: node.newSessionId(),
            vendorSpecificApplicationId: { vendorId: 10415, authApplicationId: 16777216 },
            authSessionState: 1,
            destinationRealm: 'ims.test',
            ...(destinationHost ? { destinationHost } : {}),
            userName: 'alice@ims.test',
            publicIdentity: 'sip:alice@ims.test',
            visitedNetworkIdentifier: Buffer.from('ims.test'),
          },
        });
        return { resultCode: a.avps.resultCode };
      } catch (err) {
        return err instanceof DiameterAnswerError
          ? { resultCode: err.resultCode, error: true }
          : { failed: String(err) };
      }
    };
    say({ event: 'uar', ...(await uar()) });
    say({ event: 'uar-to-fd', ...(await uar(FD)) });
    await node.close();
    say({ event: 'closed', state: peer.state });
  } else {
    say({ event: 'ready' });
    await until(
      () => peer.counters.dprReceived >= 1 && peer.state === PeerState.Closed,
      20_000,
      'DPR from freeDiameter',
    );
    say({ event: 'closed', dprReceived: peer.counters.dprReceived, state: peer.state });
    await node.close();
  }
  process.exit(0);
} catch (err) {
  say({ event: 'error', message: String(err) });
  await node.close();
  process.exit(1);
}
