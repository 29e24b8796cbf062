import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { Watchdog, WatchdogState } from '../../../src/diameter/peer/watchdog.ts';

function setup() {
  const calls: string[] = [];
  const wd = new Watchdog(
    {
      sendWatchdog: () => calls.push('DWR'),
      failover: () => calls.push('failover'),
      failback: () => calls.push('failback'),
      closeConnection: () => calls.push('close'),
    },
    { twInit: 30_000, jitter: 2000, random: () => 0.5 }, // Tw exactly 30 s
  );
  return { wd, calls };
}

describe('RFC 3539 §3.4 watchdog', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  it('INITIAL → OKAY on connection up; a DWR is sent when Tw expires without traffic', () => {
    const { wd, calls } = setup();
    assert.equal(wd.state, WatchdogState.Initial);
    wd.connectionUp();
    assert.equal(wd.state, WatchdogState.Okay);
    assert.ok(wd.usable);
    mock.timers.tick(29_999);
    assert.deepEqual(calls, []);
    mock.timers.tick(1);
    assert.deepEqual(calls, ['DWR']);
    wd.dispose();
  });

  it('traffic restarts Tw: no DWR while messages keep coming', () => {
    const { wd, calls } = setup();
    wd.connectionUp();
    for (let i = 0; i < 5; i++) {
      mock.timers.tick(20_000);
      wd.receivedOther();
    }
    assert.deepEqual(calls, []);
    wd.dispose();
  });

  it('an unanswered DWR makes the peer SUSPECT (failover); a further Tw closes it (DOWN)', () => {
    const { wd, calls } = setup();
    wd.connectionUp();
    mock.timers.tick(30_000);
    mock.timers.tick(30_000);
    assert.equal(wd.state, WatchdogState.Suspect);
    assert.equal(wd.usable, false);
    assert.deepEqual(calls, ['DWR', 'failover']);
    mock.timers.tick(30_000);
    assert.equal(wd.state, WatchdogState.Down);
    assert.deepEqual(calls, ['DWR', 'failover', 'close']);
    wd.dispose();
  });

  it('SUSPECT → OKAY with failback when the DWA finally arrives', () => {
    const { wd, calls } = setup();
    wd.connectionUp();
    mock.timers.tick(30_000);
    mock.timers.tick(30_000);
    wd.receivedDwa();
    assert.equal(wd.state, WatchdogState.Okay);
    assert.deepEqual(calls, ['DWR', 'failover', 'failback']);
    wd.dispose();
  });

  it('after a reconnection the peer stays in REOPEN until three DWAs came back', () => {
    const { wd, calls } = setup();
    wd.connectionUp();
    wd.connectionDown();
    assert.deepEqual(calls, ['failover']);
    assert.equal(wd.state, WatchdogState.Down);
    wd.connectionUp();
    assert.equal(wd.state, WatchdogState.Reopen);
    assert.equal(wd.usable, false);
    wd.receivedDwa(); // 1
    wd.receivedOther(); // application traffic does not count in REOPEN
    mock.timers.tick(30_000);
    wd.receivedDwa(); // 2
    assert.equal(wd.state, WatchdogState.Reopen);
    mock.timers.tick(30_000);
    wd.receivedDwa(); // 3
    assert.equal(wd.state, WatchdogState.Okay);
    assert.deepEqual(calls, ['failover', 'DWR', 'DWR', 'DWR', 'failback']);
    wd.dispose();
  });

  it('after an orderly close (DPR/DPA: a restart) the next connection is usable at once', () => {
    const { wd, calls } = setup();
    wd.connectionUp();
    wd.connectionDown(true);
    assert.equal(wd.state, WatchdogState.Initial);
    wd.connectionUp();
    assert.equal(wd.state, WatchdogState.Okay);
    assert.equal(wd.usable, true);
    assert.deepEqual(calls, ['failover']);
    wd.dispose();
  });

  it('REOPEN: two Tw without a DWA close the connection again', () => {
    const { wd, calls } = setup();
    wd.connectionUp();
    wd.connectionDown();
    wd.connectionUp();
    mock.timers.tick(30_000);
    mock.timers.tick(30_000);
    assert.equal(wd.state, WatchdogState.Down);
    assert.deepEqual(calls, ['failover', 'DWR', 'close']);
    wd.dispose();
  });

  it('Tw has ±jitter around Twinit', () => {
    const sent: number[] = [];
    const wd = new Watchdog(
      { sendWatchdog: () => sent.push(1), failover() {}, failback() {}, closeConnection() {} },
      { twInit: 30_000, jitter: 2000, random: () => 0 },
    );
    wd.connectionUp();
    mock.timers.tick(27_999);
    assert.equal(sent.length, 0);
    mock.timers.tick(1);
    assert.equal(sent.length, 1);
    wd.dispose();
  });
});
