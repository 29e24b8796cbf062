/**
 * The Sh User-Data document, TS 29.328 Annex D (ShDataType.xsd, root `Sh-Data`): written for
 * UDA, SNA and PNR, read for PUR. Only the parts this HSS holds: PublicIdentifiers,
 * RepositoryData, and Sh-IMS-Data (S-CSCFName, IFCs, IMSUserState, ChargingInformation).
 * ServiceData is the application server's own XML, kept and given back as it came.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { InitialFilterCriteria } from '../../ims/ifc/model.ts';
import { buildInitialFilterCriteria } from '../../ims/user-data.ts';
import { XmlWriter } from '../../ims/xml-writer.ts';
import type { ChargingInformation } from './model.ts';

/** TS 29.328 Annex D tIMSUserState. */
export enum ImsUserState {
  NOT_REGISTERED = 0,
  REGISTERED = 1,
  REGISTERED_UNREG_SERVICES = 2,
  AUTHENTICATION_PENDING = 3,
}

export interface ShRepositoryData {
  serviceIndication: string;
  sequenceNumber: number;
  /** ServiceData content; absent when the data was deleted (PNR) or is to be deleted (PUR). */
  serviceData?: string;
}

export interface ShData {
  publicIdentifiers?: { imsPublicIdentities: string[]; msisdns?: string[] };
  repositoryData?: ShRepositoryData[];
  imsData?: {
    scscfName?: string;
    initialFilterCriteria?: InitialFilterCriteria[];
    imsUserState?: ImsUserState;
    chargingInformation?: ChargingInformation;
  };
}

/** A PUR document that is not what TS 29.328 Annex D describes (DIAMETER_ERROR_USER_DATA_NOT_RECOGNIZED). */
export class ShDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShDataError';
  }
}

const esc = (s: string | number) => XmlWriter.escape(String(s));
const leaf = (name: string, value: string | number) => `<${name}>${esc(value)}</${name}>`;

/** Writes an Sh-Data document, elements in the order of the schema's sequences. */
export function buildShData(data: ShData): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?><Sh-Data>'];
  const ids = data.publicIdentifiers;
  if (ids !== undefined) {
    // tPublicIdentity: IMSPublicIdentity 0..n, MSISDN 0..n.
    out.push('<PublicIdentifiers>');
    for (const impu of ids.imsPublicIdentities) out.push(leaf('IMSPublicIdentity', impu));
    for (const msisdn of ids.msisdns ?? []) out.push(leaf('MSISDN', msisdn));
    out.push('</PublicIdentifiers>');
  }
  for (const rd of data.repositoryData ?? []) {
    // tTransparentData: ServiceIndication, SequenceNumber, ServiceData 0..1 (the AS's XML).
    out.push('<RepositoryData>', leaf('ServiceIndication', rd.serviceIndication));
    out.push(leaf('SequenceNumber', rd.sequenceNumber));
    if (rd.serviceData !== undefined) out.push(`<ServiceData>${rd.serviceData}</ServiceData>`);
    out.push('</RepositoryData>');
  }
  const ims = data.imsData;
  if (ims !== undefined) {
    // tShIMSData: S-CSCFName, IFCs, IMSUserState, ChargingInformation, all 0..1.
    out.push('<Sh-IMS-Data>');
    if (ims.scscfName !== undefined) out.push(leaf('S-CSCFName', ims.scscfName));
    if (ims.initialFilterCriteria !== undefined)
      out.push(`<IFCs>${ifcElements(ims.initialFilterCriteria)}</IFCs>`);
    if (ims.imsUserState !== undefined) out.push(leaf('IMSUserState', ims.imsUserState));
    const ci = ims.chargingInformation;
    if (ci !== undefined) {
      out.push('<ChargingInformation>');
      if (ci.primaryEventChargingFunctionName)
        out.push(leaf('PrimaryEventChargingFunctionName', ci.primaryEventChargingFunctionName));
      if (ci.secondaryEventChargingFunctionName)
        out.push(leaf('SecondaryEventChargingFunctionName', ci.secondaryEventChargingFunctionName));
      if (ci.primaryChargingCollectionFunctionName)
        out.push(leaf('PrimaryChargingCollectionFunctionName', ci.primaryChargingCollectionFunctionName));
      if (ci.secondaryChargingCollectionFunctionName)
        out.push(leaf('SecondaryChargingCollectionFunctionName', ci.secondaryChargingCollectionFunctionName));
      out.push('</ChargingInformation>');
    }
    out.push('</Sh-IMS-Data>');
  }
  out.push('</Sh-Data>');
  return out.join('');
}

/** The InitialFilterCriteria elements of TS 29.228 Annex E, as ims/user-data.ts writes them. */
function ifcElements(list: InitialFilterCriteria[]): string {
  if (list.length === 0) return '';
  const doc = buildInitialFilterCriteria(list).replace(/^<\?xml[^>]*\?>/, '');
  return list.length === 1
    ? doc
    : doc.replace(/^<InitialFilterCriteriaList>|<\/InitialFilterCriteriaList>$/g, '');
}

const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  parseTagValue: false,
  trimValues: true,
  // ServiceData is the AS's XML: kept as text, exactly as it came.
  stopNodes: ['*.ServiceData'],
  isArray: (_name, jpath) => jpath === 'Sh-Data.RepositoryData',
});

/** The RepositoryData elements of a PUR's Sh-Data (TS 29.328 §6.1.2); throws ShDataError. */
export function parseRepositoryData(xml: string): ShRepositoryData[] {
  // A DOCTYPE could expand entities from the document: refused, as in ims/user-data-parser.ts.
  if (/<!DOCTYPE/i.test(xml)) throw new ShDataError('a DOCTYPE is not allowed');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new ShDataError(`not well-formed XML: ${valid.err.msg}`);
  const doc = parser.parse(xml) as Record<string, unknown>;
  const root = doc['Sh-Data'];
  if (root === undefined || typeof root !== 'object' || root === null)
    throw new ShDataError('the root element must be Sh-Data');
  const items = (root as Record<string, unknown>).RepositoryData;
  if (!Array.isArray(items) || items.length === 0) throw new ShDataError('Sh-Data holds no RepositoryData');
  return items.map((item, i) => {
    const where = `RepositoryData[${i}]`;
    if (typeof item !== 'object' || item === null) throw new ShDataError(`${where}: empty`);
    const { ServiceIndication: si, SequenceNumber: sn, ServiceData: sd } = item as Record<string, unknown>;
    if (typeof si !== 'string' || si === '') throw new ShDataError(`${where}/ServiceIndication is required`);
    if (typeof sn !== 'string' || !/^\d{1,5}$/.test(sn) || Number(sn) > 65535)
      throw new ShDataError(`${where}/SequenceNumber must be 0..65535`);
    if (sd !== undefined && typeof sd !== 'string')
      throw new ShDataError(`${where}/ServiceData: one at most`);
    const rd: ShRepositoryData = { serviceIndication: si, sequenceNumber: Number(sn) };
    if (sd !== undefined) rd.serviceData = sd;
    return rd;
  });
}
