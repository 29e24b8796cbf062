import { baseApplication } from './base.ts';
import { baseAccountingApplication } from './base-accounting.ts';
import { cxApplication } from './cx.ts';
import { Dictionary } from './dictionary.ts';
import { rfApplication } from './rf.ts';
import { rxApplication } from './rx.ts';
import { shApplication } from './sh.ts';

/**
 * A dictionary of everything this library knows: base, base accounting, Cx/Dx, Sh, Rx and Rf.
 * Built on each call (a few milliseconds; no module-level instance): build it once per node.
 */
export function createStandardDictionary(): Dictionary {
  return new Dictionary([
    baseApplication,
    baseAccountingApplication,
    cxApplication,
    shApplication,
    rxApplication,
    rfApplication,
  ]);
}
