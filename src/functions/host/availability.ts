import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Functions started through the adapters of adapters.ts. */
export const BUILT_IN_FUNCTIONS = ['hss', 'slf'];

/** Functions whose `start<Name>()` returns a RunningFunction, found when their code lands. */
export const DISCOVERED_FUNCTIONS = [
  'pcscf',
  'icscf',
  'scscf',
  'as',
  'bgcf',
  'mgcf',
  'pstn',
  'mrf',
  'pcrf',
  'nass',
  'cdf',
];

/** The index.ts of function `name`'s folder. */
export function functionModuleUrl(name: string, file = 'index.ts'): URL {
  return new URL(`../${name}/${file}`, import.meta.url);
}

/**
 * Whether the code of function `name` is in the tree (its folder has an index.ts). Cheap: the
 * CLI asks it for every function without loading any.
 */
export function isFunctionAvailable(name: string): boolean {
  if (BUILT_IN_FUNCTIONS.includes(name)) return true;
  return DISCOVERED_FUNCTIONS.includes(name) && existsSync(fileURLToPath(functionModuleUrl(name)));
}
