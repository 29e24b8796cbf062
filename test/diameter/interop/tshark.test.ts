// tshark (Wireshark's dissector) reads a live capture of our CER/CEA, DWR/DWA, Cx exchanges and
// DPR/DPA on loopback, and finds no malformed packet and no expert warning in them.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CxApplication, ServerAssignmentType } from '../../../src/diameter/apps/cx.ts';
import { experimentalResult } from '../../../src/diameter/apps/result.ts';
import { ResultCode } from '../../../src/diameter/result-code.ts';
import { node, waitFor } from '../helpers/nodes.ts';

const installed = spawnSync('sh', ['-c', 'command -v tshark'], { encoding: 'utf8' }).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'ims-tshark-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('tshark decodes our Diameter', {
  skip: installed ? false : 'tshark is not installed (apt-get install tshark)',
}, () => {
  it('a capture of CER/CEA, DWR/DWA, UAR/UAA, MAR/MAA, SAR/SAA with User-Data, error answers and DPR/DPA has no malformed frame', async () => {
    const hss = node({ originHost: 'hss.ims.test', applications: [], peers: [{ host: 'icscf.ims.test' }] });
    const hssCx = new CxApplication(hss);
    await hss.start();
    const port = hss.port;
    const pcap = join(dir, 'diameter.pcap');
    let brokenPort = 0;
    let stderr = '';
    const capture: ChildProcess = spawn(
      'tshark',
      ['-i', 'lo', '-f', `tcp port ${port}`, '-w', pcap, '-a', 'duration:60'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    capture.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    try {
      await waitFor(() => /Capturing on/.test(stderr), 15_000, 'tshark to start capturing');
      hssCx.onUserAuthorization(() => ({
        ...experimentalResult(2001),
        serverName: 'sip:scscf.ims.test',
      }));
      hssCx.onMultimediaAuth((req) => ({
        resultCode: ResultCode.DIAMETER_SUCCESS,
        userName: req.userName,
        publicIdentity: req.publicIdentity,
        sipNumberAuthItems: 1,
        sipAuthDataItem: [
          {
            sipItemNumber: 1,
            sipAuthenticationScheme: 'Digest-AKAv1-MD5',
            sipAuthenticate: Buffer.alloc(32, 0xab),
            sipAuthorization: Buffer.alloc(16, 0xcd),
            confidentialityKey: Buffer.alloc(16, 1),
            integrityKey: Buffer.alloc(16, 2),
          },
        ],
      }));
      hssCx.onServerAssignment(() => ({
        resultCode: 2001,
        userName: 'alice@ims.test',
        userData: Buffer.from(
          '<?xml version="1.0"?><IMSSubscription><PrivateID>alice@ims.test</PrivateID></IMSSubscription>',
        ),
        chargingInformation: { primaryChargingCollectionFunctionName: 'aaa://cdf.ims.test:3871' },
      }));
      const icscf = node({
        originHost: 'icscf.ims.test',
        listen: undefined,
        applications: [],
        twInit: 100,
        peers: [{ host: 'hss.ims.test', address: '127.0.0.1', port }],
      });
      const cx = new CxApplication(icscf);
      await icscf.start();
      const peer = await icscf.waitForPeer('hss.ims.test');
      await waitFor(() => peer.counters.dwaReceived >= 1, 5000, 'a DWA');
      await cx.userAuthorization({
        userName: 'alice@ims.test',
        publicIdentity: 'sip:alice@ims.test',
        visitedNetworkIdentifier: Buffer.from('ims.test'),
      });
      await cx.multimediaAuth({
        userName: 'alice@ims.test',
        publicIdentity: 'sip:alice@ims.test',
        sipAuthDataItem: { sipAuthenticationScheme: 'Digest-AKAv1-MD5' },
        sipNumberAuthItems: 1,
        serverName: 'sip:scscf.ims.test',
      });
      await cx.serverAssignment({
        userName: 'alice@ims.test',
        publicIdentity: ['sip:alice@ims.test'],
        serverName: 'sip:scscf.ims.test',
        serverAssignmentType: ServerAssignmentType.REGISTRATION,
        userDataAlreadyAvailable: 0,
      });
      // LIR has no handler on the HSS: a 3001 answer with the E bit.
      await assert.rejects(cx.locationInfo({ publicIdentity: 'sip:bob@ims.test' }));
      await icscf.close();
      // A control: one deliberately broken message (an AVP longer than the message), which the
      // filter below must flag, so that an empty result means something.
      const raw = connect(port, '127.0.0.1');
      await once(raw, 'connect');
      brokenPort = raw.localPort!;
      const broken = Buffer.alloc(40);
      broken.writeUInt32BE(0x01000028, 0);
      broken.writeUInt32BE(0x80000101, 4);
      broken.writeUInt32BE(0x00000108, 20); // Origin-Host
      broken.writeUInt32BE(0x40000fff, 24); // M flag, length 4095
      raw.end(broken);
      await once(raw, 'close');
      await hss.close();
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      capture.kill('SIGINT');
      await new Promise((r) => capture.once('exit', r));
    }

    const read = (filter: string) =>
      spawnSync(
        'tshark',
        [
          '-r',
          pcap,
          '-d',
          `tcp.port==${port},diameter`,
          '-Y',
          filter,
          '-T',
          'fields',
          '-e',
          'frame.number',
          '-e',
          'diameter.cmd.code',
          '-e',
          '_ws.expert.message',
        ],
        {
          encoding: 'utf8',
        },
      );
    const all = read('diameter');
    assert.equal(all.status, 0, all.stderr);
    const commands = new Set(
      all.stdout
        .split('\n')
        .flatMap((l) => (l.split('\t')[1] ?? '').split(','))
        .filter(Boolean),
    );
    for (const code of ['257', '280', '300', '301', '303', '302', '282'])
      assert.ok(commands.has(code), `command ${code} captured`);
    const flagged = '(_ws.malformed || (_ws.expert.severity >= "warning" && diameter))';
    const control = read(`${flagged} && tcp.srcport == ${brokenPort}`);
    assert.notEqual(control.stdout.trim(), '', 'the broken control message is flagged');
    const bad = read(`${flagged} && tcp.srcport != ${brokenPort}`);
    assert.equal(bad.status, 0, bad.stderr);
    assert.equal(bad.stdout.trim(), '', `malformed or flagged frames:\n${bad.stdout}`);
  });
});
