/**
 * The charging headers the S-CSCF handles on sessions (TS 24.229 §5.4.3.2, §5.4.3.3, RFC 7315
 * §4.5, §4.6): an IMS Charging Identifier when none came with the request, the charging
 * function addresses of the served user, and their removal at the edge of the trust domain.
 */
import { randomText, type SipMessage } from '../../../sip/message/index.ts';
import type { Registration } from '../../../store/registrations/types.ts';

/** A new icid-value: unique in time and space (RFC 7315 §4.6 asks for a globally unique value). */
export function newIcid(): string {
  return `${Date.now().toString(16)}${randomText(10, 'hex')}`;
}

/**
 * TS 24.229 §5.4.3.2 step 7 / §5.4.3.3: a request without P-Charging-Vector gets one, with an
 * icid generated here.
 */
export function ensureChargingVector(message: SipMessage, generatedAt: string): void {
  if (message.headers.has('P-Charging-Vector')) return;
  message.headers.set('P-Charging-Vector', `icid-value=${newIcid()};icid-generated-at=${generatedAt}`);
}

/**
 * TS 24.229 §5.4.3.2 step 8: the served user's charging function addresses (from Cx), when the
 * request does not carry them already.
 */
export function addChargingFunctionAddresses(message: SipMessage, record: Registration | undefined): void {
  if (message.headers.has('P-Charging-Function-Addresses')) return;
  const parts = [
    ...(record?.charging?.ccf ?? []).map((a) => `ccf=${quoteIfNeeded(a)}`),
    ...(record?.charging?.ecf ?? []).map((a) => `ecf=${quoteIfNeeded(a)}`),
  ];
  if (parts.length > 0) message.headers.set('P-Charging-Function-Addresses', parts.join(';'));
}

/** RFC 7315 §4.5, §4.6: these headers do not leave the trust domain. */
export function removeChargingHeaders(message: SipMessage): void {
  message.headers.delete('P-Charging-Function-Addresses');
  message.headers.delete('P-Charging-Vector');
}

/** A Diameter URI or host is a token most of the time; anything else goes in quotes. */
function quoteIfNeeded(value: string): string {
  return /^[A-Za-z0-9\-.!%*_+`'~]+$/.test(value) ? value : `"${value.replace(/(["\\])/g, '\\$1')}"`;
}
