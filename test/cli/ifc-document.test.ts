/**
 * `ims subscriber add --ifc FILE.xml` reads its iFCs with parseIfcDocument (src/ims/ifc-document.ts):
 * the iFC roots as before, and the ServiceProfile / IMSSubscription documents of TS 29.228
 * Annex E that other HSSs export. (Here rather than under test/ims, which another engineer owns.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseIfcDocument } from '../../src/ims/ifc-document.ts';
import { UserDataError } from '../../src/ims/user-data-error.ts';
import { parseInitialFilterCriteria } from '../../src/ims/user-data-parser.ts';

const ifc = (priority: number, server = 'sip:as.ims.test') =>
  `<InitialFilterCriteria><Priority>${priority}</Priority><ApplicationServer><ServerName>${server}</ServerName></ApplicationServer></InitialFilterCriteria>`;
const identity = '<PublicIdentity><Identity>sip:a@ims.test</Identity></PublicIdentity>';
const profile = (body: string) => `<ServiceProfile>${identity}${body}</ServiceProfile>`;

function refused(xml: string, message: RegExp): void {
  assert.throws(
    () => parseIfcDocument(xml),
    (err) => err instanceof UserDataError && message.test(err.message),
  );
}

describe('parseIfcDocument', () => {
  it('an InitialFilterCriteria or InitialFilterCriteriaList document reads as parseInitialFilterCriteria reads it', () => {
    for (const xml of [ifc(3), `<InitialFilterCriteriaList>${ifc(1)}${ifc(2)}</InitialFilterCriteriaList>`])
      assert.deepEqual(parseIfcDocument(xml), parseInitialFilterCriteria(xml));
  });

  it('a ServiceProfile: its iFCs, after a declaration and comments; errors named from the ServiceProfile', () => {
    const xml = `\uFEFF<?xml version="1.0"?>\n<!-- from hss-a -->\n${profile(ifc(2, 'sip:b.ims.test') + ifc(1))}`;
    assert.deepEqual(
      parseIfcDocument(xml).map((i) => [i.priority, i.applicationServer.serverName]),
      [
        [2, 'sip:b.ims.test'],
        [1, 'sip:as.ims.test'],
      ],
    );
    assert.deepEqual(parseIfcDocument(profile('')), []);
    refused(profile(ifc(1) + ifc(1)), /^ServiceProfile\/InitialFilterCriteria\[1\]\/Priority: same priority/);
    refused(profile('<Colour/>'), /^ServiceProfile\/Colour\[0\]: unexpected element/);
    refused('<ServiceProfile></ServiceProfile>', /^ServiceProfile\/PublicIdentity: at least one is required/);
    refused(`<ServiceProfile>${identity}<InitialFilterCriteria>`, /not well-formed XML/);
  });

  it('an IMSSubscription: the iFCs of its one service profile; several profiles or shared iFC sets are refused', () => {
    const sub = (body: string) =>
      `<IMSSubscription><PrivateID>a@ims.test</PrivateID>${body}</IMSSubscription>`;
    assert.deepEqual(
      parseIfcDocument(sub(profile(ifc(7)))).map((i) => i.priority),
      [7],
    );
    refused(sub(profile(ifc(1)) + profile(ifc(2))), /holds 2 ServiceProfile elements/);
    refused(
      sub(profile(`${ifc(1)}<Extension><SharedIFCSetID>4</SharedIFCSetID></Extension>`)),
      /SharedIFCSetID: only the iFCs of a profile are taken/,
    );
  });

  it('another root is refused, naming the roots it takes', () => {
    refused(
      '<PublicIdentity/>',
      /^PublicIdentity: the root element must be InitialFilterCriteria, InitialFilterCriteriaList, ServiceProfile or IMSSubscription$/,
    );
    refused('<!DOCTYPE x><ServiceProfile/>', /DOCTYPE/);
    refused('not xml', /./);
  });
});
