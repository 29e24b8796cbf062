import type { ApplicationDefinition, AvpDefinition, AvpType, FlagRule } from './types.ts';

function avp(name: string, code: number, type: AvpType, mandatory: FlagRule, clause: string): AvpDefinition {
  return { name, code, vendorId: 0, type, mandatory, clause };
}

/**
 * Diameter base protocol: RFC 6733 §4.5 AVP table (flag rules from its MUST / MUST NOT
 * columns), §5 peer commands and §6-8 grouped AVPs. The accounting AVPs of §9.8 are in
 * base-accounting.ts.
 */
export const baseApplication: ApplicationDefinition = {
  name: 'Diameter Common Messages',
  id: 0,
  vendorId: 0,
  kind: 'base',
  avps: [
    avp('Acct-Application-Id', 259, 'Unsigned32', 'must', 'RFC 6733 §6.9'),
    avp('Auth-Application-Id', 258, 'Unsigned32', 'must', 'RFC 6733 §6.8'),
    avp('Auth-Request-Type', 274, 'Enumerated', 'must', 'RFC 6733 §8.7'),
    avp('Authorization-Lifetime', 291, 'Unsigned32', 'must', 'RFC 6733 §8.9'),
    avp('Auth-Grace-Period', 276, 'Unsigned32', 'must', 'RFC 6733 §8.10'),
    avp('Auth-Session-State', 277, 'Enumerated', 'must', 'RFC 6733 §8.11'),
    avp('Re-Auth-Request-Type', 285, 'Enumerated', 'must', 'RFC 6733 §8.12'),
    avp('Class', 25, 'OctetString', 'must', 'RFC 6733 §8.20'),
    avp('Destination-Host', 293, 'DiameterIdentity', 'must', 'RFC 6733 §6.5'),
    avp('Destination-Realm', 283, 'DiameterIdentity', 'must', 'RFC 6733 §6.6'),
    avp('Disconnect-Cause', 273, 'Enumerated', 'must', 'RFC 6733 §5.4.3'),
    avp('Error-Message', 281, 'UTF8String', 'mustNot', 'RFC 6733 §7.3'),
    avp('Error-Reporting-Host', 294, 'DiameterIdentity', 'mustNot', 'RFC 6733 §7.4'),
    avp('Event-Timestamp', 55, 'Time', 'must', 'RFC 6733 §8.21'),
    avp('Experimental-Result', 297, 'Grouped', 'must', 'RFC 6733 §7.6'),
    avp('Experimental-Result-Code', 298, 'Unsigned32', 'must', 'RFC 6733 §7.7'),
    avp('Failed-AVP', 279, 'Grouped', 'must', 'RFC 6733 §7.5'),
    avp('Firmware-Revision', 267, 'Unsigned32', 'mustNot', 'RFC 6733 §5.3.4'),
    avp('Host-IP-Address', 257, 'Address', 'must', 'RFC 6733 §5.3.5'),
    avp('Inband-Security-Id', 299, 'Unsigned32', 'must', 'RFC 6733 §6.10'),
    avp('Multi-Round-Time-Out', 272, 'Unsigned32', 'must', 'RFC 6733 §8.19'),
    avp('Origin-Host', 264, 'DiameterIdentity', 'must', 'RFC 6733 §6.3'),
    avp('Origin-Realm', 296, 'DiameterIdentity', 'must', 'RFC 6733 §6.4'),
    avp('Origin-State-Id', 278, 'Unsigned32', 'must', 'RFC 6733 §8.16'),
    avp('Product-Name', 269, 'UTF8String', 'mustNot', 'RFC 6733 §5.3.7'),
    avp('Proxy-Host', 280, 'DiameterIdentity', 'must', 'RFC 6733 §6.7.3'),
    avp('Proxy-Info', 284, 'Grouped', 'must', 'RFC 6733 §6.7.2'),
    avp('Proxy-State', 33, 'OctetString', 'must', 'RFC 6733 §6.7.4'),
    avp('Redirect-Host', 292, 'DiameterURI', 'must', 'RFC 6733 §6.12'),
    avp('Redirect-Host-Usage', 261, 'Enumerated', 'must', 'RFC 6733 §6.13'),
    avp('Redirect-Max-Cache-Time', 262, 'Unsigned32', 'must', 'RFC 6733 §6.14'),
    avp('Result-Code', 268, 'Unsigned32', 'must', 'RFC 6733 §7.1'),
    avp('Route-Record', 282, 'DiameterIdentity', 'must', 'RFC 6733 §6.7.1'),
    avp('Session-Id', 263, 'UTF8String', 'must', 'RFC 6733 §8.8'),
    avp('Session-Timeout', 27, 'Unsigned32', 'must', 'RFC 6733 §8.13'),
    avp('Session-Binding', 270, 'Unsigned32', 'must', 'RFC 6733 §8.17'),
    avp('Session-Server-Failover', 271, 'Enumerated', 'must', 'RFC 6733 §8.18'),
    avp('Supported-Vendor-Id', 265, 'Unsigned32', 'must', 'RFC 6733 §5.3.6'),
    avp('Termination-Cause', 295, 'Enumerated', 'must', 'RFC 6733 §8.15'),
    avp('User-Name', 1, 'UTF8String', 'must', 'RFC 6733 §8.14'),
    avp('Vendor-Id', 266, 'Unsigned32', 'must', 'RFC 6733 §5.3.3'),
    avp('Vendor-Specific-Application-Id', 260, 'Grouped', 'must', 'RFC 6733 §6.11'),
    // IETF AVPs the 3GPP applications borrow.
    avp('Subscription-Id', 443, 'Grouped', 'must', 'RFC 4006 §8.46'),
    avp('Subscription-Id-Type', 450, 'Enumerated', 'must', 'RFC 4006 §8.47'),
    avp('Subscription-Id-Data', 444, 'UTF8String', 'must', 'RFC 4006 §8.48'),
    avp('Service-Context-Id', 461, 'UTF8String', 'must', 'RFC 4006 §8.42'),
    avp('Framed-IP-Address', 8, 'OctetString', 'must', 'RFC 7155 §4.4.10.5.1'),
    avp('Framed-IPv6-Prefix', 97, 'OctetString', 'must', 'RFC 7155 §4.4.10.5.6'),
    avp('Framed-Interface-Id', 96, 'Unsigned64', 'must', 'RFC 7155 §4.4.10.5.5'),
    avp('Called-Station-Id', 30, 'UTF8String', 'must', 'RFC 7155 §4.3.2.2'),
    avp('Digest-Realm', 104, 'UTF8String', 'must', 'RFC 4740 §9.5.2'),
    avp('Digest-QoP', 110, 'UTF8String', 'must', 'RFC 4740 §9.5.8'),
    avp('Digest-Algorithm', 111, 'UTF8String', 'must', 'RFC 4740 §9.5.9'),
    avp('Digest-HA1', 121, 'OctetString', 'must', 'RFC 4740 §9.5.19'),
    avp('DRMP', 301, 'Enumerated', 'may', 'RFC 7944 §9.1'),
    avp('OC-Supported-Features', 621, 'Grouped', 'may', 'RFC 7683 §7.1'),
    avp('OC-Feature-Vector', 622, 'Unsigned64', 'may', 'RFC 7683 §7.2'),
    avp('OC-OLR', 623, 'Grouped', 'may', 'RFC 7683 §7.3'),
    avp('OC-Sequence-Number', 624, 'Unsigned64', 'may', 'RFC 7683 §7.4'),
    avp('OC-Validity-Duration', 625, 'Unsigned32', 'may', 'RFC 7683 §7.5'),
    avp('OC-Report-Type', 626, 'Enumerated', 'may', 'RFC 7683 §7.6'),
    avp('OC-Reduction-Percentage', 627, 'Unsigned32', 'may', 'RFC 7683 §7.7'),
  ],
  grouped: {
    // RFC 6733 §6.11 (no *[AVP] extension).
    'Vendor-Specific-Application-Id': `
      { Vendor-Id }
      [ Auth-Application-Id ]
      [ Acct-Application-Id ]`,
    // RFC 6733 §6.7.2
    'Proxy-Info': `
      { Proxy-Host }
      { Proxy-State }
      *[ AVP ]`,
    // RFC 6733 §7.5
    'Failed-AVP': `
      1*{ AVP }`,
    // RFC 6733 §7.6
    'Experimental-Result': `
      { Vendor-Id }
      { Experimental-Result-Code }`,
    // RFC 4006 §8.46
    'Subscription-Id': `
      { Subscription-Id-Type }
      { Subscription-Id-Data }`,
    // RFC 7683 §7.1, §7.3
    'OC-Supported-Features': `
      [ OC-Feature-Vector ]
      *[ AVP ]`,
    'OC-OLR': `
      < OC-Sequence-Number >
      < OC-Report-Type >
      [ OC-Reduction-Percentage ]
      [ OC-Validity-Duration ]
      *[ AVP ]`,
  },
  enums: {
    'Auth-Request-Type': { AUTHENTICATE_ONLY: 1, AUTHORIZE_ONLY: 2, AUTHORIZE_AUTHENTICATE: 3 },
    'Auth-Session-State': { STATE_MAINTAINED: 0, NO_STATE_MAINTAINED: 1 },
    'Re-Auth-Request-Type': { AUTHORIZE_ONLY: 0, AUTHORIZE_AUTHENTICATE: 1 },
    'Disconnect-Cause': { REBOOTING: 0, BUSY: 1, DO_NOT_WANT_TO_TALK_TO_YOU: 2 },
    'Redirect-Host-Usage': {
      DONT_CACHE: 0,
      ALL_SESSION: 1,
      ALL_REALM: 2,
      REALM_AND_APPLICATION: 3,
      ALL_APPLICATION: 4,
      ALL_HOST: 5,
      ALL_USER: 6,
    },
    'Session-Server-Failover': {
      REFUSE_SERVICE: 0,
      TRY_AGAIN: 1,
      ALLOW_SERVICE: 2,
      TRY_AGAIN_ALLOW_SERVICE: 3,
    },
    'Termination-Cause': {
      DIAMETER_LOGOUT: 1,
      DIAMETER_SERVICE_NOT_PROVIDED: 2,
      DIAMETER_BAD_ANSWER: 3,
      DIAMETER_ADMINISTRATIVE: 4,
      DIAMETER_LINK_BROKEN: 5,
      DIAMETER_AUTH_EXPIRED: 6,
      DIAMETER_USER_MOVED: 7,
      DIAMETER_SESSION_TIMEOUT: 8,
    },
    'Subscription-Id-Type': {
      END_USER_E164: 0,
      END_USER_IMSI: 1,
      END_USER_SIP_URI: 2,
      END_USER_NAI: 3,
      END_USER_PRIVATE: 4,
    },
    DRMP: {
      PRIORITY_15: 15,
      PRIORITY_14: 14,
      PRIORITY_13: 13,
      PRIORITY_12: 12,
      PRIORITY_11: 11,
      PRIORITY_10: 10,
      PRIORITY_9: 9,
      PRIORITY_8: 8,
      PRIORITY_7: 7,
      PRIORITY_6: 6,
      PRIORITY_5: 5,
      PRIORITY_4: 4,
      PRIORITY_3: 3,
      PRIORITY_2: 2,
      PRIORITY_1: 1,
      PRIORITY_0: 0,
    },
    // RFC 7683 §7.6; RFC 8581 (DOIC peer overload report) adds PEER_REPORT.
    'OC-Report-Type': { HOST_REPORT: 0, REALM_REPORT: 1, PEER_REPORT: 2 },
  },
  commands: [
    {
      name: 'Capabilities-Exchange',
      abbreviations: ['CER', 'CEA'],
      code: 257,
      applicationId: 0,
      proxiable: false,
      clause: 'RFC 6733 §5.3.1-5.3.2',
      request: `
        { Origin-Host }
        { Origin-Realm }
        1*{ Host-IP-Address }
        { Vendor-Id }
        { Product-Name }
        [ Origin-State-Id ]
        *[ Supported-Vendor-Id ]
        *[ Auth-Application-Id ]
        *[ Inband-Security-Id ]
        *[ Acct-Application-Id ]
        *[ Vendor-Specific-Application-Id ]
        [ Firmware-Revision ]
        *[ AVP ]`,
      answer: `
        { Result-Code }
        { Origin-Host }
        { Origin-Realm }
        1*{ Host-IP-Address }
        { Vendor-Id }
        { Product-Name }
        [ Origin-State-Id ]
        [ Error-Message ]
        [ Failed-AVP ]
        *[ Supported-Vendor-Id ]
        *[ Auth-Application-Id ]
        *[ Inband-Security-Id ]
        *[ Acct-Application-Id ]
        *[ Vendor-Specific-Application-Id ]
        [ Firmware-Revision ]
        *[ AVP ]`,
    },
    {
      name: 'Device-Watchdog',
      abbreviations: ['DWR', 'DWA'],
      code: 280,
      applicationId: 0,
      proxiable: false,
      clause: 'RFC 6733 §5.5.1-5.5.2',
      request: `
        { Origin-Host }
        { Origin-Realm }
        [ Origin-State-Id ]
        *[ AVP ]`,
      answer: `
        { Result-Code }
        { Origin-Host }
        { Origin-Realm }
        [ Error-Message ]
        [ Failed-AVP ]
        [ Origin-State-Id ]
        *[ AVP ]`,
    },
    {
      name: 'Disconnect-Peer',
      abbreviations: ['DPR', 'DPA'],
      code: 282,
      applicationId: 0,
      proxiable: false,
      clause: 'RFC 6733 §5.4.1-5.4.2',
      request: `
        { Origin-Host }
        { Origin-Realm }
        { Disconnect-Cause }
        *[ AVP ]`,
      answer: `
        { Result-Code }
        { Origin-Host }
        { Origin-Realm }
        [ Error-Message ]
        [ Failed-AVP ]
        *[ AVP ]`,
    },
  ],
};

/**
 * RFC 6733 §7.2: the ABNF every answer with the E bit set follows, whatever its command.
 */
export const ERROR_ANSWER_ABNF = `
  0*1< Session-Id >
  { Origin-Host }
  { Origin-Realm }
  { Result-Code }
  [ Origin-State-Id ]
  [ Error-Message ]
  [ Error-Reporting-Host ]
  [ Failed-AVP ]
  [ Experimental-Result ]
  *[ Redirect-Host ]
  [ Redirect-Host-Usage ]
  [ Redirect-Max-Cache-Time ]
  *[ Proxy-Info ]
  *[ AVP ]`;
// The three Redirect-* rules are named here (§6.1.7 puts them in redirect answers) so that their
// multiplicity is known; §7.2 lets them in through *[ AVP ] anyway.
