import { shAvps, shEnums } from './generated/tgpp-avps.ts';
import { tgppCommandBuilder } from './tgpp-command.ts';
import type { ApplicationDefinition } from './types.ts';

const SH = 16777217;

// TS 29.329 §6.1: Sh commands share the Cx head and tail. Public-Identity, Server-Name,
// Supported-Features, Wildcarded-* and Session-Priority are the Cx AVPs (TS 29.329 §6.3 table 6.3.1
// refers to TS 29.229), so a dictionary holding Sh also holds Cx.
const command = tgppCommandBuilder(SH);

/** Sh: AS ↔ HSS (TS 29.328, TS 29.329), application id 16777217. */
export const shApplication: ApplicationDefinition = {
  name: '3GPP Sh',
  id: SH,
  vendorId: 10415,
  kind: 'auth',
  avps: shAvps,
  grouped: {
    // TS 29.329 §6.3.1 (External-Identifier of later releases passes as *[ AVP ])
    'User-Identity': `
      [ Public-Identity ]
      [ MSISDN ]
      *[ AVP ]`,
    // TS 29.329 §6.3.24
    'Repository-Data-ID': `
      { Service-Indication }
      { Sequence-Number }
      *[ AVP ]`,
    // TS 29.329 §6.3.29
    'Call-Reference-Info': `
      { Call-Reference-Number }
      { AS-Number }
      *[ AVP ]`,
  },
  enums: {
    ...shEnums,
    // TS 29.329 §6.3.4 (Rel-15 and later): the cross-checked source stops at 31.
    'Data-Reference': {
      ...shEnums['Data-Reference'],
      IMSI: 32,
      IMSPrivateUserIdentity: 33,
      IMEISV: 34,
      'UE-5G-SRVCC-Capability': 35,
    },
    // TS 29.329 §6.3.8, 6.3.17, 6.3.22, 6.3.23, 6.3.26, 6.3.27
    'Current-Location': { DoNotNeedInitiateActiveLocationRetrieval: 0, InitiateActiveLocationRetrieval: 1 },
    'Send-Data-Indication': { USER_DATA_NOT_REQUESTED: 0, USER_DATA_REQUESTED: 1 },
    'One-Time-Notification': { ONE_TIME_NOTIFICATION_REQUESTED: 0 },
    'Serving-Node-Indication': { ONLY_SERVING_NODES_REQUIRED: 0 },
    'Pre-paging-Supported': { PREPAGING_NOT_SUPPORTED: 0, PREPAGING_SUPPORTED: 1 },
    'Local-Time-Zone-Indication': {
      ONLY_LOCAL_TIME_ZONE_REQUESTED: 0,
      LOCAL_TIME_ZONE_WITH_LOCATION_INFO_REQUESTED: 1,
    },
  },
  commands: [
    command(
      'User-Data',
      ['UDR', 'UDA'],
      306,
      'TS 29.329 §6.1.1-6.1.2',
      `
      [ Destination-Host ]
      { Destination-Realm }
      *[ Supported-Features ]
      { User-Identity }
      [ Wildcarded-Public-Identity ]
      [ Wildcarded-IMPU ]
      [ Server-Name ]
      *[ Service-Indication ]
      1*{ Data-Reference }
      *[ Identity-Set ]
      [ Requested-Domain ]
      [ Current-Location ]
      *[ DSAI-Tag ]
      [ Session-Priority ]
      [ User-Name ]
      [ Requested-Nodes ]
      [ Serving-Node-Indication ]
      [ Pre-paging-Supported ]
      [ Local-Time-Zone-Indication ]
      [ UDR-Flags ]
      [ Call-Reference-Info ]
      [ OC-Supported-Features ]`,
      `
      *[ Supported-Features ]
      [ Wildcarded-Public-Identity ]
      [ Wildcarded-IMPU ]
      [ User-Data ]
      [ OC-Supported-Features ]
      [ OC-OLR ]`,
    ),
    command(
      'Profile-Update',
      ['PUR', 'PUA'],
      307,
      'TS 29.329 §6.1.3-6.1.4',
      `
      [ Destination-Host ]
      { Destination-Realm }
      *[ Supported-Features ]
      { User-Identity }
      [ Wildcarded-Public-Identity ]
      [ Wildcarded-IMPU ]
      [ User-Name ]
      { Data-Reference }
      { User-Data }
      [ OC-Supported-Features ]`,
      `
      [ Wildcarded-Public-Identity ]
      [ Wildcarded-IMPU ]
      [ Repository-Data-ID ]
      [ Data-Reference ]
      *[ Supported-Features ]
      [ OC-Supported-Features ]
      [ OC-OLR ]`,
    ),
    command(
      'Subscribe-Notifications',
      ['SNR', 'SNA'],
      308,
      'TS 29.329 §6.1.5-6.1.6',
      `
      [ Destination-Host ]
      { Destination-Realm }
      *[ Supported-Features ]
      { User-Identity }
      [ Wildcarded-Public-Identity ]
      [ Wildcarded-IMPU ]
      *[ Service-Indication ]
      [ Send-Data-Indication ]
      [ Server-Name ]
      { Subs-Req-Type }
      1*{ Data-Reference }
      *[ Identity-Set ]
      [ Expiry-Time ]
      *[ DSAI-Tag ]
      [ One-Time-Notification ]
      [ User-Name ]
      [ OC-Supported-Features ]`,
      `
      [ Wildcarded-Public-Identity ]
      [ Wildcarded-IMPU ]
      *[ Supported-Features ]
      [ User-Data ]
      [ Expiry-Time ]
      [ OC-Supported-Features ]
      [ OC-OLR ]`,
    ),
    command(
      'Push-Notification',
      ['PNR', 'PNA'],
      309,
      'TS 29.329 §6.1.7-6.1.8',
      `
      { Destination-Host }
      { Destination-Realm }
      *[ Supported-Features ]
      { User-Identity }
      [ Wildcarded-Public-Identity ]
      [ Wildcarded-IMPU ]
      [ User-Name ]
      { User-Data }`,
      `
      *[ Supported-Features ]`,
    ),
  ],
};
