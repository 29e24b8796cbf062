/**
 * The property name an AVP takes in typed messages: its dictionary name in camelCase, each
 * hyphen-separated word capitalised and the rest lowercased, e.g. 'SIP-Auth-Data-Item' →
 * 'sipAuthDataItem', 'Origin-Host' → 'originHost', 'Feature-List-ID' → 'featureListId'.
 */
export function avpKey(name: string): string {
  const words = name.split('-').filter((w) => w !== '');
  let key = (words[0] ?? '').toLowerCase();
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    key += w.charAt(0).toUpperCase() + w.slice(1).toLowerCase();
  }
  return key;
}

/** The key under which AVPs not named by the rules, or not known, are kept as raw AVPs. */
export const RAW_AVPS_KEY = 'rawAvps';
