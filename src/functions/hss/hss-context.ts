/**
 * What every procedure of the HSS works with, built once by index.ts: configuration, the
 * subscriber store, the Diameter node with its Cx and Sh applications, the SQN scheme and the
 * logger. Handlers are plain functions of this context and the request.
 */
import { SqnScheme } from '../../aka/sqn.ts';
import type { CxApplication } from '../../diameter/apps/cx.ts';
import type { ShApplication } from '../../diameter/apps/sh.ts';
import type { DiameterNode } from '../../diameter/node.ts';
import type { Logger } from '../../log/logger.ts';
import type { SubscriberStore } from '../../store/subscriber-store.ts';
import type { HssConfig } from './config.ts';

export interface HssContext {
  readonly config: HssConfig;
  readonly store: SubscriberStore;
  readonly node: DiameterNode;
  readonly cx: CxApplication;
  readonly sh: ShApplication;
  readonly sqnScheme: SqnScheme;
  readonly log: Logger;
}

export function createHssContext(
  config: HssConfig,
  store: SubscriberStore,
  node: DiameterNode,
  apps: { cx: CxApplication; sh: ShApplication },
  log: Logger,
): HssContext {
  const sqnScheme = new SqnScheme({ indBits: config.auth.sqn.indBits, delta: config.auth.sqn.delta });
  return { config, store, node, cx: apps.cx, sh: apps.sh, sqnScheme, log };
}
