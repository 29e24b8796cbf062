/**
 * The reg event package body, RFC 3680 §5 (application/reginfo+xml), as TS 24.229 uses it:
 * the S-CSCF builds it for NOTIFY (§5.4.2.1.2), the P-CSCF and UEs parse it (§5.2.3, §7.5).
 */
export { buildReginfo } from './reginfo-builder.ts';
export { ReginfoError } from './reginfo-error.ts';
export {
  CONTACT_EVENTS,
  type ContactEvent,
  REGINFO_CONTENT_TYPE,
  REGINFO_NAMESPACE,
  type Reginfo,
  type ReginfoContact,
  type ReginfoRegistration,
} from './reginfo-model.ts';
export { parseReginfo } from './reginfo-parser.ts';
