import { rxAvps, rxEnums } from './generated/tgpp-avps.ts';
import type { ApplicationDefinition } from './types.ts';

const RX = 16777236;

// AVPs of the TS 29.214 ABNF that belong to other specifications and are not in these tables
// (AN-GW-Address, IP-CAN-Type, RAT-Type, 3GPP-User-Location-Info, Reservation-Priority, ...) are
// left out of the rules below: they still pass through *[ AVP ] and reach handlers as rawAvps.

/** Rx: P-CSCF (AF) ↔ PCRF (TS 29.214), application id 16777236. */
export const rxApplication: ApplicationDefinition = {
  name: '3GPP Rx',
  id: RX,
  vendorId: 10415,
  kind: 'auth',
  avps: rxAvps,
  grouped: {
    // TS 29.214 §5.3.16
    'Media-Component-Description': `
      { Media-Component-Number }
      *[ Media-Sub-Component ]
      [ AF-Application-Identifier ]
      [ Media-Type ]
      [ Max-Requested-Bandwidth-UL ]
      [ Max-Requested-Bandwidth-DL ]
      [ Max-Supported-Bandwidth-UL ]
      [ Max-Supported-Bandwidth-DL ]
      [ Min-Desired-Bandwidth-UL ]
      [ Min-Desired-Bandwidth-DL ]
      [ Min-Requested-Bandwidth-UL ]
      [ Min-Requested-Bandwidth-DL ]
      [ Extended-Max-Requested-BW-UL ]
      [ Extended-Max-Requested-BW-DL ]
      [ Extended-Max-Supported-BW-UL ]
      [ Extended-Max-Supported-BW-DL ]
      [ Extended-Min-Desired-BW-UL ]
      [ Extended-Min-Desired-BW-DL ]
      [ Extended-Min-Requested-BW-UL ]
      [ Extended-Min-Requested-BW-DL ]
      [ Flow-Status ]
      [ Priority-Sharing-Indicator ]
      [ RS-Bandwidth ]
      [ RR-Bandwidth ]
      *[ Codec-Data ]
      [ Sharing-Key-DL ]
      [ Sharing-Key-UL ]
      [ Content-Version ]
      *[ AVP ]`,
    // TS 29.214 §5.3.18
    'Media-Sub-Component': `
      { Flow-Number }
      0*2[ Flow-Description ]
      [ Flow-Status ]
      [ Flow-Usage ]
      [ Max-Requested-Bandwidth-UL ]
      [ Max-Requested-Bandwidth-DL ]
      [ AF-Signalling-Protocol ]
      *[ AVP ]`,
    // TS 29.214 §5.3.10
    Flows: `
      { Media-Component-Number }
      *[ Flow-Number ]
      *[ Content-Version ]
      [ Media-Component-Status ]
      *[ AVP ]`,
    // TS 29.214 §5.3.3
    'Access-Network-Charging-Identifier': `
      { Access-Network-Charging-Identifier-Value }
      *[ Flows ]`,
    // TS 29.214 §5.3.24
    'Acceptable-Service-Info': `
      *[ Media-Component-Description ]
      [ Max-Requested-Bandwidth-DL ]
      [ Max-Requested-Bandwidth-UL ]
      *[ AVP ]`,
    // TS 29.214 §5.3.27
    'Sponsored-Connectivity-Data': `
      [ Sponsor-Identity ]
      [ Application-Service-Provider-Identity ]
      [ Sponsoring-Action ]
      *[ AVP ]`,
  },
  enums: {
    ...rxEnums,
    // TS 29.214 §5.3.13 (Rel-15 and later): the cross-checked source stops at 16.
    'Specific-Action': {
      ...rxEnums['Specific-Action'],
      EPS_FALLBACK: 17,
      INDICATION_OF_REALLOCATION_OF_CREDIT: 18,
      SUCCESSFUL_QOS_UPDATE: 19,
      FAILED_QOS_UPDATE: 20,
    },
    // TS 29.214 §5.3.22, 5.3.25, 5.3.26, 5.3.34, 5.3.40, 5.3.47, 5.3.61
    'SIP-Forking-Indication': { SINGLE_DIALOGUE: 0, SEVERAL_DIALOGUES: 1 },
    'Service-Info-Status': { FINAL_SERVICE_INFORMATION: 0, PRELIMINARY_SERVICE_INFORMATION: 1 },
    'AF-Signalling-Protocol': { NO_INFORMATION: 0, SIP: 1 },
    'Required-Access-Info': { USER_LOCATION: 0, MS_TIME_ZONE: 1 },
    'Sponsoring-Action': { DISABLE_SPONSORING: 0, ENABLE_SPONSORING: 1 },
    'Priority-Sharing-Indicator': { PRIORITY_SHARING_ENABLED: 0, PRIORITY_SHARING_DISABLED: 1 },
    'IMS-Content-Type': { NO_CONTENT_DETAIL: 0, CAT: 1, CONFERENCE: 2 },
  },
  commands: [
    {
      name: 'AA',
      abbreviations: ['AAR', 'AAA'],
      code: 265,
      applicationId: RX,
      proxiable: true,
      clause: 'TS 29.214 §5.6.1-5.6.2',
      request: `
        < Session-Id >
        [ DRMP ]
        { Auth-Application-Id }
        { Origin-Host }
        { Origin-Realm }
        { Destination-Realm }
        [ Destination-Host ]
        [ IP-Domain-Id ]
        [ Auth-Session-State ]
        [ AF-Application-Identifier ]
        *[ Media-Component-Description ]
        [ Service-Info-Status ]
        [ AF-Charging-Identifier ]
        [ SIP-Forking-Indication ]
        *[ Specific-Action ]
        *[ Subscription-Id ]
        [ OC-Supported-Features ]
        *[ Supported-Features ]
        [ Framed-IP-Address ]
        [ Framed-IPv6-Prefix ]
        [ Called-Station-Id ]
        [ Service-URN ]
        [ Sponsored-Connectivity-Data ]
        [ MPS-Identifier ]
        [ GCS-Identifier ]
        [ MCPTT-Identifier ]
        [ MCVideo-Identifier ]
        [ IMS-Content-Identifier ]
        [ IMS-Content-Type ]
        [ Rx-Request-Type ]
        *[ Required-Access-Info ]
        [ AF-Requested-Data ]
        [ Pre-emption-Control-Info ]
        *[ Proxy-Info ]
        *[ Route-Record ]
        *[ AVP ]`,
      answer: `
        < Session-Id >
        [ DRMP ]
        { Auth-Application-Id }
        { Origin-Host }
        { Origin-Realm }
        [ Result-Code ]
        [ Experimental-Result ]
        [ Auth-Session-State ]
        *[ Access-Network-Charging-Identifier ]
        [ Access-Network-Charging-Address ]
        [ Acceptable-Service-Info ]
        [ Service-Authorization-Info ]
        *[ Flows ]
        [ OC-Supported-Features ]
        [ OC-OLR ]
        *[ Supported-Features ]
        *[ Subscription-Id ]
        *[ Class ]
        [ Error-Message ]
        [ Error-Reporting-Host ]
        [ Failed-AVP ]
        [ Retry-Interval ]
        *[ Proxy-Info ]
        *[ AVP ]`,
    },
    {
      name: 'Re-Auth',
      abbreviations: ['RAR', 'RAA'],
      code: 258,
      applicationId: RX,
      proxiable: true,
      clause: 'TS 29.214 §5.6.3-5.6.4',
      request: `
        < Session-Id >
        [ DRMP ]
        { Origin-Host }
        { Origin-Realm }
        { Destination-Realm }
        { Destination-Host }
        { Auth-Application-Id }
        *{ Specific-Action }
        [ OC-Supported-Features ]
        *[ Access-Network-Charging-Identifier ]
        [ Access-Network-Charging-Address ]
        *[ Flows ]
        *[ Subscription-Id ]
        [ Abort-Cause ]
        [ Sponsored-Connectivity-Data ]
        [ Origin-State-Id ]
        *[ Class ]
        *[ Proxy-Info ]
        *[ Route-Record ]
        *[ AVP ]`,
      answer: `
        < Session-Id >
        [ DRMP ]
        { Origin-Host }
        { Origin-Realm }
        [ Result-Code ]
        [ Experimental-Result ]
        [ OC-Supported-Features ]
        [ OC-OLR ]
        *[ Media-Component-Description ]
        [ Service-URN ]
        [ Origin-State-Id ]
        *[ Class ]
        [ Error-Message ]
        [ Error-Reporting-Host ]
        *[ Redirect-Host ]
        [ Redirect-Host-Usage ]
        [ Redirect-Max-Cache-Time ]
        [ Failed-AVP ]
        *[ Proxy-Info ]
        *[ AVP ]`,
    },
    {
      name: 'Session-Termination',
      abbreviations: ['STR', 'STA'],
      code: 275,
      applicationId: RX,
      proxiable: true,
      clause: 'TS 29.214 §5.6.5-5.6.6',
      request: `
        < Session-Id >
        [ DRMP ]
        { Origin-Host }
        { Origin-Realm }
        { Destination-Realm }
        { Auth-Application-Id }
        { Termination-Cause }
        [ Destination-Host ]
        [ OC-Supported-Features ]
        *[ Required-Access-Info ]
        *[ Class ]
        *[ Proxy-Info ]
        *[ Route-Record ]
        *[ AVP ]`,
      answer: `
        < Session-Id >
        [ DRMP ]
        { Origin-Host }
        { Origin-Realm }
        [ Result-Code ]
        [ Error-Message ]
        [ Error-Reporting-Host ]
        [ OC-Supported-Features ]
        [ OC-OLR ]
        [ Failed-AVP ]
        [ Sponsored-Connectivity-Data ]
        [ Origin-State-Id ]
        *[ Class ]
        *[ Redirect-Host ]
        [ Redirect-Host-Usage ]
        [ Redirect-Max-Cache-Time ]
        *[ Proxy-Info ]
        *[ AVP ]`,
    },
    {
      name: 'Abort-Session',
      abbreviations: ['ASR', 'ASA'],
      code: 274,
      applicationId: RX,
      proxiable: true,
      clause: 'TS 29.214 §5.6.7-5.6.8',
      request: `
        < Session-Id >
        [ DRMP ]
        { Origin-Host }
        { Origin-Realm }
        { Destination-Realm }
        { Destination-Host }
        { Auth-Application-Id }
        [ OC-Supported-Features ]
        { Abort-Cause }
        [ Origin-State-Id ]
        *[ Proxy-Info ]
        *[ Route-Record ]
        *[ AVP ]`,
      answer: `
        < Session-Id >
        [ DRMP ]
        { Origin-Host }
        { Origin-Realm }
        [ Result-Code ]
        [ OC-Supported-Features ]
        [ OC-OLR ]
        [ Origin-State-Id ]
        [ Error-Message ]
        [ Error-Reporting-Host ]
        [ Failed-AVP ]
        *[ Redirect-Host ]
        [ Redirect-Host-Usage ]
        [ Redirect-Max-Cache-Time ]
        *[ Proxy-Info ]
        *[ AVP ]`,
    },
  ],
};
