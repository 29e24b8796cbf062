import type { ApplicationDefinition, AvpDefinition, AvpType } from './types.ts';

function avp(name: string, code: number, type: AvpType, clause: string): AvpDefinition {
  // RFC 6733 §9.8 table: every accounting AVP has the M bit "MUST".
  return { name, code, vendorId: 0, type, mandatory: 'must', clause };
}

/** RFC 6733 §9.7.1-9.7.2 ABNF, shared with Rf (TS 32.299 §6.2.2-6.2.3 adds to it). */
export const ACR_ABNF = `
  < Session-Id >
  { Origin-Host }
  { Origin-Realm }
  { Destination-Realm }
  { Accounting-Record-Type }
  { Accounting-Record-Number }
  [ Acct-Application-Id ]
  [ Vendor-Specific-Application-Id ]
  [ User-Name ]
  [ Destination-Host ]
  [ Accounting-Sub-Session-Id ]
  [ Acct-Session-Id ]
  [ Acct-Multi-Session-Id ]
  [ Acct-Interim-Interval ]
  [ Accounting-Realtime-Required ]
  [ Origin-State-Id ]
  [ Event-Timestamp ]
  *[ Proxy-Info ]
  *[ Route-Record ]
  *[ AVP ]`;

export const ACA_ABNF = `
  < Session-Id >
  { Result-Code }
  { Origin-Host }
  { Origin-Realm }
  { Accounting-Record-Type }
  { Accounting-Record-Number }
  [ Acct-Application-Id ]
  [ Vendor-Specific-Application-Id ]
  [ User-Name ]
  [ Accounting-Sub-Session-Id ]
  [ Acct-Session-Id ]
  [ Acct-Multi-Session-Id ]
  [ Error-Message ]
  [ Error-Reporting-Host ]
  [ Failed-AVP ]
  [ Acct-Interim-Interval ]
  [ Accounting-Realtime-Required ]
  [ Origin-State-Id ]
  [ Event-Timestamp ]
  *[ Proxy-Info ]
  *[ AVP ]`;

/** Diameter base accounting, application id 3 (RFC 6733 §9). */
export const baseAccountingApplication: ApplicationDefinition = {
  name: 'Diameter Base Accounting',
  id: 3,
  vendorId: 0,
  kind: 'acct',
  avps: [
    avp('Acct-Interim-Interval', 85, 'Unsigned32', 'RFC 6733 §9.8.2'),
    avp('Accounting-Realtime-Required', 483, 'Enumerated', 'RFC 6733 §9.8.7'),
    avp('Acct-Multi-Session-Id', 50, 'UTF8String', 'RFC 6733 §9.8.5'),
    avp('Accounting-Record-Number', 485, 'Unsigned32', 'RFC 6733 §9.8.3'),
    avp('Accounting-Record-Type', 480, 'Enumerated', 'RFC 6733 §9.8.1'),
    avp('Acct-Session-Id', 44, 'OctetString', 'RFC 6733 §9.8.4'),
    avp('Accounting-Sub-Session-Id', 287, 'Unsigned64', 'RFC 6733 §9.8.6'),
  ],
  grouped: {},
  enums: {
    'Accounting-Record-Type': { EVENT_RECORD: 1, START_RECORD: 2, INTERIM_RECORD: 3, STOP_RECORD: 4 },
    'Accounting-Realtime-Required': { DELIVER_AND_GRANT: 1, GRANT_AND_STORE: 2, GRANT_AND_LOSE: 3 },
  },
  commands: [
    {
      name: 'Accounting',
      abbreviations: ['ACR', 'ACA'],
      code: 271,
      applicationId: 3,
      proxiable: true,
      clause: 'RFC 6733 §9.7.1-9.7.2',
      request: ACR_ABNF,
      answer: ACA_ABNF,
    },
  ],
};
