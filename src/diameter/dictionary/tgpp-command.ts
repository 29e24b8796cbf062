import type { CommandDefinition } from './types.ts';

// TS 29.229 §6.1 (Cx/Dx) and TS 29.329 §6.1 (Sh): every command of these applications carries
// the same head and tail AVPs around its own.
const REQUEST_HEAD = `
  < Session-Id >
  [ DRMP ]
  { Vendor-Specific-Application-Id }
  { Auth-Session-State }
  { Origin-Host }
  { Origin-Realm }`;
const ANSWER_HEAD = `
  < Session-Id >
  [ DRMP ]
  { Vendor-Specific-Application-Id }
  [ Result-Code ]
  [ Experimental-Result ]
  { Auth-Session-State }
  { Origin-Host }
  { Origin-Realm }`;
const REQUEST_TAIL = `
  *[ AVP ]
  *[ Proxy-Info ]
  *[ Route-Record ]`;
const ANSWER_TAIL = `
  *[ AVP ]
  [ Failed-AVP ]
  *[ Proxy-Info ]
  *[ Route-Record ]`;

/** A command builder for a 3GPP application whose commands share that head and tail. */
export function tgppCommandBuilder(applicationId: number) {
  return (
    name: string,
    abbreviations: [string, string],
    code: number,
    clause: string,
    request: string,
    answer: string,
  ): CommandDefinition => ({
    name,
    abbreviations,
    code,
    applicationId,
    proxiable: true,
    clause,
    request: REQUEST_HEAD + request + REQUEST_TAIL,
    answer: ANSWER_HEAD + answer + ANSWER_TAIL,
  });
}
