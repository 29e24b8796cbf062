import { cxAvps, cxEnums } from './generated/tgpp-avps.ts';
import { tgppCommandBuilder } from './tgpp-command.ts';
import type { ApplicationDefinition } from './types.ts';

const CX = 16777216;

const command = tgppCommandBuilder(CX);

/** Cx/Dx: I-CSCF/S-CSCF ↔ HSS/SLF (TS 29.228, TS 29.229), application id 16777216. */
export const cxApplication: ApplicationDefinition = {
  name: '3GPP Cx/Dx',
  id: CX,
  vendorId: 10415,
  kind: 'auth',
  avps: cxAvps,
  grouped: {
    // TS 29.229 §6.3.4
    'Server-Capabilities': `
      *[ Mandatory-Capability ]
      *[ Optional-Capability ]
      *[ Server-Name ]
      *[ AVP ]`,
    // TS 29.229 §6.3.13
    'SIP-Auth-Data-Item': `
      [ SIP-Item-Number ]
      [ SIP-Authentication-Scheme ]
      [ SIP-Authenticate ]
      [ SIP-Authorization ]
      [ SIP-Authentication-Context ]
      [ Confidentiality-Key ]
      [ Integrity-Key ]
      [ SIP-Digest-Authenticate ]
      [ Framed-IP-Address ]
      [ Framed-IPv6-Prefix ]
      [ Framed-Interface-Id ]
      *[ AVP ]`,
    // TS 29.229 §6.3.16
    'Deregistration-Reason': `
      { Reason-Code }
      [ Reason-Info ]
      *[ AVP ]`,
    // TS 29.229 §6.3.19
    'Charging-Information': `
      [ Primary-Event-Charging-Function-Name ]
      [ Secondary-Event-Charging-Function-Name ]
      [ Primary-Charging-Collection-Function-Name ]
      [ Secondary-Charging-Collection-Function-Name ]
      *[ AVP ]`,
    // TS 29.229 §6.3.29
    'Supported-Features': `
      { Vendor-Id }
      { Feature-List-ID }
      { Feature-List }
      *[ AVP ]`,
    // TS 29.229 §6.3.32
    'Supported-Applications': `
      *[ Auth-Application-Id ]
      *[ Acct-Application-Id ]
      *[ Vendor-Specific-Application-Id ]
      *[ AVP ]`,
    // TS 29.229 §6.3.33
    'Associated-Identities': `
      *[ User-Name ]
      *[ AVP ]`,
    // TS 29.229 §6.3.36
    'SIP-Digest-Authenticate': `
      { Digest-Realm }
      [ Digest-Algorithm ]
      { Digest-QoP }
      { Digest-HA1 }
      *[ AVP ]`,
    // TS 29.229 §6.3.46
    'SCSCF-Restoration-Info': `
      { User-Name }
      1*{ Restoration-Info }
      [ SIP-Authentication-Scheme ]
      *[ AVP ]`,
    // TS 29.229 §6.3.49
    'Subscription-Info': `
      { Call-ID-SIP-Header }
      { From-SIP-Header }
      { To-SIP-Header }
      { Record-Route }
      { Contact }
      *[ AVP ]`,
    // TS 29.229 §6.3.50
    'Associated-Registered-Identities': `
      *[ User-Name ]
      *[ AVP ]`,
    // TS 29.229 §6.3.52
    'Restoration-Info': `
      { Path }
      { Contact }
      [ Initial-CSeq-Sequence-Number ]
      [ Call-ID-SIP-Header ]
      [ Subscription-Info ]
      *[ AVP ]`,
    // TS 29.229 §6.3.57
    'Identity-with-Emergency-Registration': `
      { User-Name }
      { Public-Identity }
      *[ AVP ]`,
    // TS 29.229 §6.3.64
    'Allowed-WAF-WWSF-Identities': `
      *[ WebRTC-Authentication-Function-Name ]
      *[ WebRTC-Web-Server-Function-Name ]
      *[ AVP ]`,
  },
  enums: {
    ...cxEnums,
    // TS 29.229 §6.3.34, 6.3.45, 6.3.51, 6.3.56, 6.3.58
    'Originating-Request': { ORIGINATING: 0 },
    'Loose-Route-Indication': { LOOSE_ROUTE_NOT_REQUIRED: 0, LOOSE_ROUTE_REQUIRED: 1 },
    'Multiple-Registration-Indication': { NOT_MULTIPLE_REGISTRATION: 0, MULTIPLE_REGISTRATION: 1 },
    'Session-Priority': {
      'PRIORITY-0': 0,
      'PRIORITY-1': 1,
      'PRIORITY-2': 2,
      'PRIORITY-3': 3,
      'PRIORITY-4': 4,
    },
    'Priviledged-Sender-Indication': { NOT_PRIVILEDGED_SENDER: 0, PRIVILEDGED_SENDER: 1 },
  },
  commands: [
    command(
      'User-Authorization',
      ['UAR', 'UAA'],
      300,
      'TS 29.229 §6.1.1-6.1.2',
      `
      [ Destination-Host ]
      { Destination-Realm }
      { User-Name }
      [ OC-Supported-Features ]
      *[ Supported-Features ]
      { Public-Identity }
      { Visited-Network-Identifier }
      [ User-Authorization-Type ]
      [ UAR-Flags ]`,
      `
      [ OC-Supported-Features ]
      [ OC-OLR ]
      *[ Supported-Features ]
      [ Server-Name ]
      [ Server-Capabilities ]`,
    ),
    command(
      'Server-Assignment',
      ['SAR', 'SAA'],
      301,
      'TS 29.229 §6.1.3-6.1.4',
      `
      [ Destination-Host ]
      { Destination-Realm }
      [ User-Name ]
      [ OC-Supported-Features ]
      *[ Supported-Features ]
      *[ Public-Identity ]
      [ Wildcarded-Public-Identity ]
      { Server-Name }
      { Server-Assignment-Type }
      { User-Data-Already-Available }
      [ SCSCF-Restoration-Info ]
      [ Multiple-Registration-Indication ]
      [ Session-Priority ]
      [ SAR-Flags ]`,
      `
      [ User-Name ]
      [ OC-Supported-Features ]
      [ OC-OLR ]
      *[ Supported-Features ]
      [ User-Data ]
      [ Charging-Information ]
      [ Associated-Identities ]
      [ Loose-Route-Indication ]
      *[ SCSCF-Restoration-Info ]
      [ Associated-Registered-Identities ]
      [ Server-Name ]
      [ Wildcarded-Public-Identity ]
      [ Priviledged-Sender-Indication ]
      [ Allowed-WAF-WWSF-Identities ]`,
    ),
    command(
      'Location-Info',
      ['LIR', 'LIA'],
      302,
      'TS 29.229 §6.1.5-6.1.6',
      `
      [ Destination-Host ]
      { Destination-Realm }
      [ Originating-Request ]
      [ OC-Supported-Features ]
      *[ Supported-Features ]
      { Public-Identity }
      [ User-Authorization-Type ]
      [ Session-Priority ]`,
      `
      [ OC-Supported-Features ]
      [ OC-OLR ]
      *[ Supported-Features ]
      [ Server-Name ]
      [ Server-Capabilities ]
      [ Wildcarded-Public-Identity ]
      [ LIA-Flags ]`,
    ),
    command(
      'Multimedia-Auth',
      ['MAR', 'MAA'],
      303,
      'TS 29.229 §6.1.7-6.1.8',
      `
      { Destination-Realm }
      [ Destination-Host ]
      { User-Name }
      [ OC-Supported-Features ]
      *[ Supported-Features ]
      { Public-Identity }
      { SIP-Auth-Data-Item }
      { SIP-Number-Auth-Items }
      { Server-Name }`,
      `
      [ User-Name ]
      [ OC-Supported-Features ]
      [ OC-OLR ]
      *[ Supported-Features ]
      [ Public-Identity ]
      [ SIP-Number-Auth-Items ]
      *[ SIP-Auth-Data-Item ]`,
    ),
    command(
      'Registration-Termination',
      ['RTR', 'RTA'],
      304,
      'TS 29.229 §6.1.9-6.1.10',
      `
      { Destination-Host }
      { Destination-Realm }
      { User-Name }
      [ Associated-Identities ]
      *[ Supported-Features ]
      *[ Public-Identity ]
      { Deregistration-Reason }
      [ RTR-Flags ]`,
      `
      [ Associated-Identities ]
      *[ Supported-Features ]
      *[ Identity-with-Emergency-Registration ]`,
    ),
    command(
      'Push-Profile',
      ['PPR', 'PPA'],
      305,
      'TS 29.229 §6.1.11-6.1.12',
      `
      { Destination-Host }
      { Destination-Realm }
      { User-Name }
      *[ Supported-Features ]
      [ User-Data ]
      [ Charging-Information ]
      [ SIP-Auth-Data-Item ]
      [ Allowed-WAF-WWSF-Identities ]`,
      `
      *[ Supported-Features ]`,
    ),
  ],
};
