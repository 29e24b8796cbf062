import { ACA_ABNF } from './base-accounting.ts';
import type { ApplicationDefinition, AvpDefinition, AvpType, FlagRule } from './types.ts';

// AVP codes, types and enumerated values from TS 32.299 §7.2 (and TS 29.061 for 3GPP-Charging-Id),
// cross-checked against the Wireshark and go-diameter dictionaries.
function avp(name: string, code: number, type: AvpType, mandatory: FlagRule = 'must'): AvpDefinition {
  return { name, code, vendorId: 10415, type, mandatory, clause: `TS 32.299 §7.2 ${name}` };
}

// TS 32.299 §6.2.2: the Rf ACR. It is the RFC 6733 ACR restricted for offline charging, plus
// Service-Context-Id and Service-Information; the base optional AVPs are kept in the rules so an
// Rf dictionary also reads plain base accounting.
const RF_ACR = `
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
  [ Service-Context-Id ]
  [ Service-Information ]
  *[ AVP ]`;

/**
 * Rf: offline charging from IMS nodes to the CDF (TS 32.299), Diameter base accounting
 * (application id 3) with the IMS-Information AVPs. Its ACR/ACA replace the base ones when both
 * are in a dictionary. Grouped AVPs end with *[ AVP ] so members of later releases pass.
 */
export const rfApplication: ApplicationDefinition = {
  name: '3GPP Rf',
  id: 3,
  vendorId: 0,
  kind: 'acct',
  avps: [
    avp('Service-Information', 873, 'Grouped'),
    avp('IMS-Information', 876, 'Grouped'),
    avp('Event-Type', 823, 'Grouped'),
    avp('SIP-Method', 824, 'UTF8String'),
    avp('Event', 825, 'UTF8String'),
    avp('Expires', 888, 'Unsigned32'),
    avp('Role-Of-Node', 829, 'Enumerated'),
    avp('Node-Functionality', 862, 'Enumerated'),
    avp('User-Session-Id', 830, 'UTF8String'),
    avp('Outgoing-Session-Id', 2320, 'UTF8String'),
    avp('Calling-Party-Address', 831, 'UTF8String'),
    avp('Called-Party-Address', 832, 'UTF8String'),
    avp('Called-Asserted-Identity', 1250, 'UTF8String'),
    avp('Number-Portability-Routing-Information', 2024, 'UTF8String'),
    avp('Carrier-Select-Routing-Information', 2023, 'UTF8String'),
    avp('Alternate-Charged-Party-Address', 1280, 'UTF8String'),
    avp('Requested-Party-Address', 1251, 'UTF8String'),
    avp('Associated-URI', 856, 'UTF8String'),
    avp('Time-Stamps', 833, 'Grouped'),
    avp('SIP-Request-Timestamp', 834, 'Time'),
    avp('SIP-Response-Timestamp', 835, 'Time'),
    avp('SIP-Request-Timestamp-Fraction', 2301, 'Unsigned32'),
    avp('SIP-Response-Timestamp-Fraction', 2302, 'Unsigned32'),
    avp('Application-Server-Information', 850, 'Grouped'),
    avp('Application-Server', 836, 'UTF8String'),
    avp('Application-Provided-Called-Party-Address', 837, 'UTF8String'),
    avp('Status-AS-Code', 2702, 'Enumerated'),
    avp('Inter-Operator-Identifier', 838, 'Grouped'),
    avp('Originating-IOI', 839, 'UTF8String'),
    avp('Terminating-IOI', 840, 'UTF8String'),
    avp('Transit-IOI-List', 2701, 'UTF8String'),
    avp('IMS-Charging-Identifier', 841, 'UTF8String'),
    avp('SDP-Session-Description', 842, 'UTF8String'),
    avp('SDP-Media-Component', 843, 'Grouped'),
    avp('SDP-Media-Name', 844, 'UTF8String'),
    avp('SDP-Media-Description', 845, 'UTF8String'),
    avp('Local-GW-Inserted-Indication', 2604, 'Enumerated'),
    avp('IP-Realm-Default-Indication', 2603, 'Enumerated'),
    avp('Transcoder-Inserted-Indication', 2605, 'Enumerated'),
    avp('Media-Initiator-Flag', 882, 'Enumerated'),
    avp('Media-Initiator-Party', 1288, 'UTF8String'),
    // TS 29.061 §16.4.7: the 3GPP-* RADIUS-derived AVPs; M is "may".
    { ...avp('3GPP-Charging-Id', 2, 'OctetString', 'may'), clause: 'TS 29.061 §16.4.7' },
    avp('SDP-Type', 2036, 'Enumerated'),
    avp('Served-Party-IP-Address', 848, 'Address'),
    avp('Trunk-Group-Id', 851, 'Grouped'),
    avp('Incoming-Trunk-Group-Id', 852, 'UTF8String'),
    avp('Outgoing-Trunk-Group-Id', 853, 'UTF8String'),
    avp('Bearer-Service', 854, 'OctetString'),
    avp('Service-Id', 855, 'UTF8String'),
    avp('Service-Specific-Info', 1249, 'Grouped'),
    avp('Service-Specific-Data', 863, 'UTF8String'),
    avp('Service-Specific-Type', 1257, 'Unsigned32'),
    avp('Message-Body', 889, 'Grouped'),
    avp('Content-Type', 826, 'UTF8String'),
    avp('Content-Length', 827, 'Unsigned32'),
    avp('Content-Disposition', 828, 'UTF8String'),
    avp('Originator', 864, 'Enumerated'),
    avp('Cause-Code', 861, 'Integer32'),
    avp('Reason-Header', 3401, 'UTF8String'),
    avp('Access-Network-Information', 1263, 'OctetString'),
    avp('Early-Media-Description', 1272, 'Grouped'),
    avp('SDP-TimeStamps', 1273, 'Grouped'),
    avp('SDP-Offer-Timestamp', 1274, 'Time'),
    avp('SDP-Answer-Timestamp', 1275, 'Time'),
    avp('IMS-Communication-Service-Identifier', 1281, 'UTF8String'),
    avp('IMS-Application-Reference-Identifier', 2601, 'UTF8String'),
    avp('Online-Charging-Flag', 2303, 'Enumerated'),
    avp('Account-Expiration', 2309, 'Time'),
    avp('Initial-IMS-Charging-Identifier', 2321, 'UTF8String'),
    avp('From-Address', 2708, 'UTF8String'),
    avp('IMS-Emergency-Indicator', 2322, 'Enumerated'),
    avp('IMS-Visited-Network-Identifier', 2713, 'UTF8String'),
    avp('Related-IMS-Charging-Identifier', 2711, 'UTF8String'),
    avp('Related-IMS-Charging-Identifier-Node', 2712, 'Address'),
    avp('Route-Header-Received', 3403, 'UTF8String'),
    avp('Route-Header-Transmitted', 3404, 'UTF8String'),
    avp('Instance-Id', 3402, 'UTF8String'),
    avp('TAD-Identifier', 2717, 'Enumerated'),
  ],
  grouped: {
    'Service-Information': `
      *[ Subscription-Id ]
      [ IMS-Information ]
      *[ AVP ]`,
    'IMS-Information': `
      [ Event-Type ]
      [ Role-Of-Node ]
      { Node-Functionality }
      [ User-Session-Id ]
      [ Outgoing-Session-Id ]
      [ Session-Priority ]
      *[ Calling-Party-Address ]
      [ Called-Party-Address ]
      *[ Called-Asserted-Identity ]
      [ Number-Portability-Routing-Information ]
      [ Carrier-Select-Routing-Information ]
      [ Alternate-Charged-Party-Address ]
      *[ Requested-Party-Address ]
      *[ Associated-URI ]
      [ Time-Stamps ]
      *[ Application-Server-Information ]
      *[ Inter-Operator-Identifier ]
      *[ Transit-IOI-List ]
      [ IMS-Charging-Identifier ]
      *[ SDP-Session-Description ]
      *[ SDP-Media-Component ]
      [ Served-Party-IP-Address ]
      [ Server-Capabilities ]
      [ Trunk-Group-Id ]
      [ Bearer-Service ]
      [ Service-Id ]
      *[ Service-Specific-Info ]
      *[ Message-Body ]
      [ Cause-Code ]
      *[ Reason-Header ]
      *[ Access-Network-Information ]
      *[ Early-Media-Description ]
      [ IMS-Communication-Service-Identifier ]
      [ IMS-Application-Reference-Identifier ]
      [ Online-Charging-Flag ]
      [ Account-Expiration ]
      [ Initial-IMS-Charging-Identifier ]
      [ From-Address ]
      [ IMS-Emergency-Indicator ]
      [ IMS-Visited-Network-Identifier ]
      [ Related-IMS-Charging-Identifier ]
      [ Related-IMS-Charging-Identifier-Node ]
      [ Route-Header-Received ]
      [ Route-Header-Transmitted ]
      [ Instance-Id ]
      [ TAD-Identifier ]
      *[ AVP ]`,
    'Event-Type': `
      [ SIP-Method ]
      [ Event ]
      [ Expires ]
      *[ AVP ]`,
    'Time-Stamps': `
      [ SIP-Request-Timestamp ]
      [ SIP-Response-Timestamp ]
      [ SIP-Request-Timestamp-Fraction ]
      [ SIP-Response-Timestamp-Fraction ]
      *[ AVP ]`,
    'Application-Server-Information': `
      [ Application-Server ]
      *[ Application-Provided-Called-Party-Address ]
      [ Status-AS-Code ]
      *[ AVP ]`,
    'Inter-Operator-Identifier': `
      [ Originating-IOI ]
      [ Terminating-IOI ]
      *[ AVP ]`,
    'SDP-Media-Component': `
      [ SDP-Media-Name ]
      *[ SDP-Media-Description ]
      [ Local-GW-Inserted-Indication ]
      [ IP-Realm-Default-Indication ]
      [ Transcoder-Inserted-Indication ]
      [ Media-Initiator-Flag ]
      [ Media-Initiator-Party ]
      [ 3GPP-Charging-Id ]
      [ Access-Network-Charging-Identifier-Value ]
      [ SDP-Type ]
      *[ AVP ]`,
    'Trunk-Group-Id': `
      [ Incoming-Trunk-Group-Id ]
      [ Outgoing-Trunk-Group-Id ]
      *[ AVP ]`,
    'Service-Specific-Info': `
      [ Service-Specific-Data ]
      [ Service-Specific-Type ]
      *[ AVP ]`,
    'Message-Body': `
      { Content-Type }
      { Content-Length }
      [ Content-Disposition ]
      [ Originator ]
      *[ AVP ]`,
    'Early-Media-Description': `
      [ SDP-TimeStamps ]
      *[ SDP-Media-Component ]
      *[ SDP-Session-Description ]
      *[ AVP ]`,
    'SDP-TimeStamps': `
      [ SDP-Offer-Timestamp ]
      [ SDP-Answer-Timestamp ]
      *[ AVP ]`,
  },
  enums: {
    'Role-Of-Node': { ORIGINATING_ROLE: 0, TERMINATING_ROLE: 1, FORWARDING_ROLE: 2 },
    'Node-Functionality': {
      'S-CSCF': 0,
      'P-CSCF': 1,
      'I-CSCF': 2,
      MRFC: 3,
      MGCF: 4,
      BGCF: 5,
      AS: 6,
      IBCF: 7,
      'S-GW': 8,
      'P-GW': 9,
      HSGW: 10,
      'E-CSCF': 11,
      MME: 12,
      TRF: 13,
      TF: 14,
      ATCF: 15,
      'Proxy-Function': 16,
      ePDG: 17,
      // TS 32.299 §7.2.113 (Rel-13 and later).
      TDF: 18,
      TWAG: 19,
      SCEF: 20,
      'IWK-SCEF': 21,
    },
    'Status-AS-Code': { '4xx': 0, '5xx': 1, Timeout: 2 },
    'SDP-Type': { SDP_OFFER: 0, SDP_ANSWER: 1 },
    'Media-Initiator-Flag': { CALLED_PARTY: 0, CALLING_PARTY: 1, UNKNOWN: 2 },
    Originator: { CALLING_PARTY: 0, CALLED_PARTY: 1 },
    'Online-Charging-Flag': { ECF_ADDRESS_NOT_PROVIDED: 0, ECF_ADDRESS_PROVIDED: 1 },
    'IMS-Emergency-Indicator': { NON_EMERGENCY: 0, EMERGENCY: 1 },
    'Local-GW-Inserted-Indication': { LOCAL_GW_NOT_INSERTED: 0, LOCAL_GW_INSERTED: 1 },
    'IP-Realm-Default-Indication': { DEFAULT_IP_REALM_NOT_USED: 0, DEFAULT_IP_REALM_USED: 1 },
    'Transcoder-Inserted-Indication': { TRANSCODER_NOT_INSERTED: 0, TRANSCODER_INSERTED: 1 },
    'TAD-Identifier': { CS: 0, PS: 1 },
  },
  commands: [
    {
      name: 'Accounting',
      abbreviations: ['ACR', 'ACA'],
      code: 271,
      applicationId: 3,
      proxiable: true,
      clause: 'TS 32.299 §6.2.2-6.2.3',
      request: RF_ACR,
      // TS 32.299 §6.2.3: the Rf ACA is the base accounting ACA (RFC 6733 §9.7.2).
      answer: ACA_ABNF,
    },
  ],
};
