/**
 * Child process of the crash tests: hands out SQNs through updateAuthState in a loop and prints
 * each one once it is committed, until killed. argv: store config (JSON), IMPI, SQN step.
 */
import { openSubscriberStore } from '../../../src/store/open-subscriber-store.ts';

const [config = '', impi = '', step = '32'] = process.argv.slice(2);
const store = await openSubscriberStore(JSON.parse(config));
process.stdout.write('ready\n');
for (;;) {
  const sqn = await store.updateAuthState(impi, (state) => {
    const next = state.sqn + Number(step);
    return { sqn: next, result: next };
  });
  // Printed only after updateAuthState resolved, i.e. after the commit: what a client would get.
  process.stdout.write(`${sqn}\n`);
}
