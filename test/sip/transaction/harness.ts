import { silentLogger } from '../../../src/log/logger.ts';
import {
  resolveTimerValues,
  type TimerValues,
  type TransactionContext,
  TransactionLayer,
  type TransactionRecord,
} from '../../../src/sip/transaction/index.ts';
import type { Destination, TransportProtocol } from '../../../src/sip/transport/types.ts';
import { FakeClock } from './fake-clock.ts';
import { flowFrom, SpyTransport } from './spy-transport.ts';
import { SpyTransactionUser } from './spy-users.ts';

/** Fake time, a spy transport and the context transactions are built with. */
export function harness(timerValues?: Partial<TimerValues>) {
  const clock = new FakeClock();
  const transport = new SpyTransport();
  const context: TransactionContext = {
    transport,
    timers: clock,
    timerValues: resolveTimerValues(timerValues),
    logger: silentLogger,
  };
  return { clock, transport, context };
}

/** A TransactionLayer on fake time and a spy transport, with a spy TU and its records. */
export function layerHarness() {
  const clock = new FakeClock();
  const transport = new SpyTransport();
  const user = new SpyTransactionUser();
  const layer = new TransactionLayer({ transport, user, timers: clock });
  const records: TransactionRecord[] = [];
  layer.on('terminated', (record) => records.push(record));
  const udp = flowFrom('udp');
  return { clock, transport, user, layer, records, udp };
}

export function destination(protocol: TransportProtocol): Destination {
  return { protocol, host: '203.0.113.5', port: 5060 };
}

/** Both kinds of transport the timers differ on: UDP (unreliable) and TCP (reliable). */
export const TRANSPORTS = [
  { protocol: 'udp', via: 'UDP', reliable: false },
  { protocol: 'tcp', via: 'TCP', reliable: true },
] as const;

export const T1 = 500;
export const T2 = 4000;
export const T4 = 5000;
