import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { IdentityType } from '../../src/ims/identity.ts';
import {
  DefaultHandling,
  ProfilePartIndicator,
  RegistrationType,
  SessionCase,
} from '../../src/ims/ifc/model.ts';
import {
  buildInitialFilterCriteria,
  buildUserData,
  type ImsSubscription,
  parseInitialFilterCriteria,
  parseUserData,
} from '../../src/ims/user-data.ts';
import { UserDataError } from '../../src/ims/user-data-error.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/user-data/${name}`, import.meta.url), 'utf8');

/** Uses every element the builder knows. */
const full: ImsSubscription = {
  privateId: 'alice@ims.test',
  serviceProfiles: [
    {
      publicIdentities: [
        {
          identity: 'sip:alice@ims.test',
          barringIndication: false,
          identityType: IdentityType.PUBLIC_USER_IDENTITY,
          displayName: 'Alice <A & B>',
          aliasIdentityGroupId: 'alias-1',
        },
        { identity: 'tel:+12015550123', identityType: IdentityType.PUBLIC_USER_IDENTITY },
        { identity: 'sip:alice-barred@ims.test', barringIndication: true },
        {
          identity: 'sip:conf-7@ims.test',
          identityType: IdentityType.NON_DISTINCT_IMPU,
          wildcardedImpu: 'sip:conf-!.*!@ims.test',
        },
        {
          identity: 'sip:chat-1@ims.test',
          identityType: IdentityType.DISTINCT_PSI,
          wildcardedPsi: 'sip:chat-!.*!@ims.test',
        },
      ],
      coreNetworkServicesAuthorization: { subscribedMediaProfileId: 3 },
      initialFilterCriteria: [
        {
          priority: 0,
          triggerPoint: {
            conditionTypeCNF: false,
            spts: [
              {
                kind: 'method',
                method: 'REGISTER',
                registrationTypes: [RegistrationType.INITIAL_REGISTRATION, RegistrationType.DE_REGISTRATION],
                conditionNegated: false,
                groups: [0],
              },
            ],
          },
          applicationServer: {
            serverName: 'sip:as.ims.test:5080',
            defaultHandling: DefaultHandling.SESSION_CONTINUED,
            serviceInfo: 'reg <info>',
            includeRegisterRequest: true,
            includeRegisterResponse: true,
          },
        },
        {
          priority: 5,
          triggerPoint: {
            conditionTypeCNF: true,
            spts: [
              { kind: 'method', method: 'INVITE', conditionNegated: false, groups: [0, 1] },
              {
                kind: 'sessionCase',
                sessionCase: SessionCase.TERMINATING_UNREGISTERED,
                conditionNegated: false,
                groups: [0],
              },
              {
                kind: 'sipHeader',
                header: 'Accept-Contact',
                content: '\\+g\\.3gpp\\.icsi-ref',
                conditionNegated: true,
                groups: [1],
              },
              { kind: 'requestUri', requestUri: 'sip:voicemail@.*', conditionNegated: false, groups: [1] },
              {
                kind: 'sessionDescription',
                line: 'm',
                content: 'video',
                conditionNegated: false,
                groups: [1],
              },
            ],
          },
          applicationServer: {
            serverName: 'sip:vm.ims.test',
            defaultHandling: DefaultHandling.SESSION_TERMINATED,
          },
          profilePartIndicator: ProfilePartIndicator.UNREGISTERED,
        },
        { priority: 9, applicationServer: { serverName: 'sip:always.ims.test' } },
      ],
      sharedIfcSetIds: [1, 7],
    },
    {
      publicIdentities: [{ identity: 'sip:alice-work@ims.test' }],
      initialFilterCriteria: [],
      sharedIfcSetIds: [],
    },
  ],
};

/** The names of the child elements of the first element named `parent` in `xml`, in order. */
function childOrder(xml: string, parent: string): string[] {
  const start = xml.indexOf(`<${parent}>`);
  const end = xml.indexOf(`</${parent}>`, start);
  const names: string[] = [];
  let depth = 0;
  for (const m of xml.slice(start + parent.length + 2, end).matchAll(/<(\/?)([A-Za-z]+)[^>]*?(\/?)>/g)) {
    if (m[1] === '/') depth--;
    else {
      if (depth === 0) names.push(m[2]!);
      if (m[3] !== '/') depth++;
    }
  }
  return names;
}

describe('User-Data XML (TS 29.228 Annex E)', () => {
  it('round-trips every element: parse(build(x)) equals x', () => {
    assert.deepEqual(parseUserData(buildUserData(full)), full);
    assert.deepEqual(parseUserData(buildUserData(full, { indent: '  ' })), full);
  });

  it('builds the expected document (golden file)', () => {
    assert.equal(`${buildUserData(full, { indent: '  ' })}\n`, fixture('annex-e-full.xml'));
  });

  it('writes elements in the order of the Annex E sequences', () => {
    const xml = buildUserData(full);
    assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?><IMSSubscription><PrivateID>'));
    assert.deepEqual(childOrder(xml, 'IMSSubscription'), ['PrivateID', 'ServiceProfile', 'ServiceProfile']);
    assert.deepEqual(childOrder(xml, 'ServiceProfile'), [
      ...Array(5).fill('PublicIdentity'),
      'CoreNetworkServicesAuthorization',
      'InitialFilterCriteria',
      'InitialFilterCriteria',
      'InitialFilterCriteria',
      'Extension',
    ]);
    assert.deepEqual(childOrder(xml, 'PublicIdentity'), ['BarringIndication', 'Identity', 'Extension']);
    assert.deepEqual(childOrder(xml, 'InitialFilterCriteria'), [
      'Priority',
      'TriggerPoint',
      'ApplicationServer',
    ]);
    assert.deepEqual(childOrder(xml, 'SPT'), ['ConditionNegated', 'Group', 'Method', 'Extension']);
    assert.deepEqual(childOrder(xml, 'ApplicationServer'), [
      'ServerName',
      'DefaultHandling',
      'ServiceInfo',
      'Extension',
    ]);
    const second = xml.slice(xml.indexOf('<Priority>5</Priority>') - '<InitialFilterCriteria>'.length);
    assert.deepEqual(childOrder(second, 'InitialFilterCriteria'), [
      'Priority',
      'TriggerPoint',
      'ApplicationServer',
      'ProfilePartIndicator',
    ]);
    assert.deepEqual(childOrder(second, 'TriggerPoint'), [
      'ConditionTypeCNF',
      'SPT',
      'SPT',
      'SPT',
      'SPT',
      'SPT',
    ]);
    assert.deepEqual(childOrder(second, 'SIPHeader'), ['Header', 'Content']);
    assert.match(
      xml,
      /<Extension><IdentityType>0<\/IdentityType><Extension><DisplayName>Alice &lt;A &amp; B&gt;<\/DisplayName><AliasIdentityGroupID>alias-1<\/AliasIdentityGroupID><\/Extension><\/Extension>/,
    );
    // tPublicIdentityExtension3 starts with WildcardedIMPU.
    assert.match(
      xml,
      /<Extension><IdentityType>3<\/IdentityType><Extension><Extension><WildcardedIMPU>sip:conf-!\.\*!@ims\.test<\/WildcardedIMPU><\/Extension><\/Extension><\/Extension>/,
    );
    assert.match(
      xml,
      /<Extension><SharedIFCSetID>1<\/SharedIFCSetID><SharedIFCSetID>7<\/SharedIFCSetID><\/Extension><\/ServiceProfile>/,
    );
  });

  it('reads a document shaped like PyHSS output (comments, empty Extensions, indentation)', () => {
    const sub = parseUserData(fixture('pyhss-style.xml'));
    assert.equal(sub.privateId, '001010123456789@ims.mnc001.mcc001.3gppnetwork.org');
    const [profile] = sub.serviceProfiles;
    assert.deepEqual(
      profile?.publicIdentities.map((p) => [p.identity, p.identityType]),
      [
        ['sip:3342012345@ims.mnc001.mcc001.3gppnetwork.org', 0],
        ['tel:+3342012345', 0],
      ],
    );
    assert.deepEqual(
      profile?.initialFilterCriteria.map((i) => i.priority),
      [30, 20, 10],
    );
    const message = profile?.initialFilterCriteria[1];
    assert.equal(message?.triggerPoint?.conditionTypeCNF, true);
    assert.deepEqual(message?.triggerPoint?.spts[1], {
      conditionNegated: true,
      groups: [1],
      kind: 'sipHeader',
      header: 'Server',
    });
    assert.deepEqual(message?.triggerPoint?.spts[2], {
      conditionNegated: false,
      groups: [2],
      kind: 'sessionCase',
      sessionCase: SessionCase.ORIGINATING_SESSION,
    });
    assert.deepEqual(profile?.initialFilterCriteria[2]?.applicationServer, {
      serverName: 'sip:smsc.ims.mnc001.mcc001.3gppnetwork.org:5060',
      defaultHandling: 0,
      includeRegisterRequest: true,
      includeRegisterResponse: true,
    });
    // What we write from it reads back the same.
    assert.deepEqual(parseUserData(buildUserData(sub)), sub);
  });

  it('trims padded values, reads WildcardedIMPU in the third Extension, skips unknown Extension content', () => {
    const sub = parseUserData(fixture('wildcard-padded.xml'));
    assert.equal(sub.privateId, 'conf-host@ims.test');
    assert.deepEqual(sub.serviceProfiles[0]?.publicIdentities, [
      {
        identity: 'sip:conf-1234@ims.test',
        barringIndication: false,
        identityType: IdentityType.NON_DISTINCT_IMPU,
        wildcardedImpu: 'sip:conf-!.*!@ims.test',
      },
      {
        identity: 'sip:chat!.*!@ims.test',
        identityType: IdentityType.WILDCARDED_PSI,
        wildcardedPsi: 'sip:chat!.*!@ims.test',
      },
    ]);
    const ifc = sub.serviceProfiles[0]?.initialFilterCriteria[0];
    assert.deepEqual(ifc?.triggerPoint, {
      conditionTypeCNF: false,
      spts: [
        {
          conditionNegated: false,
          groups: [0],
          kind: 'requestUri',
          requestUri: 'sip:conf-[0-9]+@ims\\.test',
        },
      ],
    });
    assert.equal(ifc?.applicationServer.serviceInfo, 'room=<default> & more');
  });

  it('accepts WildcardedIMPU directly in the first Extension, as some HSSs send it', () => {
    const xml =
      '<IMSSubscription><PrivateID>a@ims.test</PrivateID><ServiceProfile><PublicIdentity><Identity>sip:6505551!.*!@ims.test</Identity>' +
      '<Extension><IdentityType>4</IdentityType><WildcardedIMPU>sip:6505551!.*!@ims.test</WildcardedIMPU></Extension></PublicIdentity></ServiceProfile></IMSSubscription>';
    assert.equal(
      parseUserData(xml).serviceProfiles[0]?.publicIdentities[0]?.wildcardedImpu,
      'sip:6505551!.*!@ims.test',
    );
  });

  it('decodes character references', () => {
    const xml =
      '<IMSSubscription><PrivateID>&#97;lice@ims.test</PrivateID><ServiceProfile><PublicIdentity><Identity>sip:alice@ims.test</Identity>' +
      '<Extension><Extension><DisplayName>&#x41;&#246;&amp;&lt;</DisplayName></Extension></Extension></PublicIdentity></ServiceProfile></IMSSubscription>';
    const sub = parseUserData(xml);
    assert.equal(sub.privateId, 'alice@ims.test');
    assert.equal(sub.serviceProfiles[0]?.publicIdentities[0]?.displayName, 'Aö&<');
  });

  it('keeps any text through build and parse (property)', () => {
    const text = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
      .map((s) => s.replace(/[\u0000-\u001f\ufffe\uffff]/g, 'x').trim())
      .filter((s) => s !== '');
    fc.assert(
      fc.property(text, text, (displayName, serviceInfo) => {
        const sub: ImsSubscription = {
          privateId: 'p@ims.test',
          serviceProfiles: [
            {
              publicIdentities: [{ identity: 'sip:p@ims.test', displayName }],
              initialFilterCriteria: [
                { priority: 0, applicationServer: { serverName: 'sip:as.ims.test', serviceInfo } },
              ],
              sharedIfcSetIds: [],
            },
          ],
        };
        assert.deepEqual(parseUserData(buildUserData(sub)), sub);
      }),
    );
  });

  describe('errors name the element', () => {
    const wrap = (profile: string) =>
      `<IMSSubscription><PrivateID>a@ims.test</PrivateID><ServiceProfile>${profile}</ServiceProfile></IMSSubscription>`;
    const pi = '<PublicIdentity><Identity>sip:a@ims.test</Identity></PublicIdentity>';
    const ifc = (priority: string, spt: string, as = '<ServerName>sip:as.ims.test</ServerName>') =>
      `<InitialFilterCriteria><Priority>${priority}</Priority><TriggerPoint><ConditionTypeCNF>0</ConditionTypeCNF><SPT><Group>0</Group>${spt}</SPT></TriggerPoint><ApplicationServer>${as}</ApplicationServer></InitialFilterCriteria>`;
    const cases: [string, string, string, RegExp][] = [
      ['not XML', '<IMSSubscription><PrivateID>', '', /not well-formed/],
      ['a DOCTYPE', '<!DOCTYPE x [<!ENTITY a "b">]><IMSSubscription/>', '', /DOCTYPE/],
      ['another root', '<ShData/>', 'ShData', /root element/],
      [
        'no PrivateID',
        '<IMSSubscription><ServiceProfile/></IMSSubscription>',
        'IMSSubscription/PrivateID',
        /required/,
      ],
      [
        'no ServiceProfile',
        '<IMSSubscription><PrivateID>a</PrivateID></IMSSubscription>',
        'IMSSubscription/ServiceProfile',
        /at least one/,
      ],
      [
        'no Identity',
        wrap('<PublicIdentity><BarringIndication>1</BarringIndication></PublicIdentity>'),
        'IMSSubscription/ServiceProfile[0]/PublicIdentity[0]/Identity',
        /required/,
      ],
      [
        'an unknown element',
        wrap(`${pi}<Bogus/>`),
        'IMSSubscription/ServiceProfile[0]/Bogus[0]',
        /unexpected/,
      ],
      [
        'a bad boolean',
        wrap(
          '<PublicIdentity><BarringIndication>yes</BarringIndication><Identity>sip:a@ims.test</Identity></PublicIdentity>',
        ),
        'IMSSubscription/ServiceProfile[0]/PublicIdentity[0]/BarringIndication[0]',
        /0 or 1/,
      ],
      [
        'a bad IdentityType',
        wrap(
          '<PublicIdentity><Identity>sip:a@ims.test</Identity><Extension><IdentityType>9</IdentityType></Extension></PublicIdentity>',
        ),
        'IMSSubscription/ServiceProfile[0]/PublicIdentity[0]/Extension[0]/IdentityType[0]',
        /WILDCARDED_IMPU/,
      ],
      [
        'a repeated Identity',
        wrap(
          '<PublicIdentity><Identity>sip:a@ims.test</Identity><Identity>sip:b@ims.test</Identity></PublicIdentity>',
        ),
        'IMSSubscription/ServiceProfile[0]/PublicIdentity[0]/Identity[1]',
        /only once/,
      ],
      [
        'a bad priority',
        wrap(pi + ifc('-1', '<Method>INVITE</Method>')),
        'IMSSubscription/ServiceProfile[0]/InitialFilterCriteria[0]/Priority[0]',
        /integer/,
      ],
      [
        'a bad SessionCase',
        wrap(pi + ifc('1', '<SessionCase>5</SessionCase>')),
        'IMSSubscription/ServiceProfile[0]/InitialFilterCriteria[0]/TriggerPoint[0]/SPT[0]/SessionCase[0]',
        /ORIGINATING_CDIV/,
      ],
      [
        'two SPT choices',
        wrap(pi + ifc('1', '<Method>INVITE</Method><SessionCase>0</SessionCase>')),
        'IMSSubscription/ServiceProfile[0]/InitialFilterCriteria[0]/TriggerPoint[0]/SPT[0]/SessionCase[0]',
        /exactly one/,
      ],
      [
        'a bad method',
        wrap(pi + ifc('1', '<Method>IN VITE</Method>')),
        'IMSSubscription/ServiceProfile[0]/InitialFilterCriteria[0]/TriggerPoint[0]/SPT[0]/Method',
        /token/,
      ],
      [
        'a bad regex',
        wrap(pi + ifc('1', '<SIPHeader><Header>From</Header><Content>(</Content></SIPHeader>')),
        'IMSSubscription/ServiceProfile[0]/InitialFilterCriteria[0]/TriggerPoint[0]/SPT[0]/SIPHeader/Content',
        /regular expression/,
      ],
      [
        'RegistrationType without REGISTER',
        wrap(
          pi +
            ifc('1', '<Method>INVITE</Method><Extension><RegistrationType>0</RegistrationType></Extension>'),
        ),
        'IMSSubscription/ServiceProfile[0]/InitialFilterCriteria[0]/TriggerPoint[0]/SPT[0]/Extension/RegistrationType',
        /REGISTER/,
      ],
      [
        'a bad ServerName',
        wrap(pi + ifc('1', '<Method>INVITE</Method>', '<ServerName>http://as</ServerName>')),
        'IMSSubscription/ServiceProfile[0]/InitialFilterCriteria[0]/ApplicationServer[0]/ServerName',
        /SIP URI/,
      ],
      [
        'two iFCs with one priority',
        wrap(pi + ifc('1', '<Method>INVITE</Method>') + ifc('1', '<Method>BYE</Method>')),
        'IMSSubscription/ServiceProfile[0]/InitialFilterCriteria[1]/Priority',
        /same priority/,
      ],
    ];
    for (const [what, xml, path, reason] of cases)
      it(`refuses ${what}`, () => {
        assert.throws(
          () => parseUserData(xml),
          (err: unknown) => err instanceof UserDataError && err.path === path && reason.test(err.reason),
        );
      });
  });

  it('refuses to build what the document cannot carry', () => {
    const one = (publicIdentities: ImsSubscription['serviceProfiles'][0]['publicIdentities']) => ({
      privateId: 'a@ims.test',
      serviceProfiles: [{ publicIdentities, initialFilterCriteria: [], sharedIfcSetIds: [] }],
    });
    assert.throws(
      () => buildUserData({ privateId: 'a', serviceProfiles: [] }),
      /at least one service profile/,
    );
    assert.throws(
      () => buildUserData(one([])),
      (e: unknown) =>
        e instanceof UserDataError && e.path === 'IMSSubscription/ServiceProfile[0]/PublicIdentity',
    );
    assert.throws(
      () => buildUserData(one([{ identity: 'sip:a@ims.test', displayName: 'bell\u0007' }])),
      /XML 1\.0 cannot carry/,
    );
    assert.throws(
      () =>
        buildUserData({
          privateId: 'a@ims.test',
          serviceProfiles: [
            {
              publicIdentities: [{ identity: 'sip:a@ims.test' }],
              initialFilterCriteria: [{ priority: 1, applicationServer: { serverName: 'nope' } }],
              sharedIfcSetIds: [],
            },
          ],
        }),
      (e: unknown) =>
        e instanceof UserDataError &&
        e.path === 'IMSSubscription/ServiceProfile[0]/InitialFilterCriteria[0]' &&
        /serverName/.test(e.reason),
    );
  });

  it('reads and writes iFCs alone (ims subscriber add --ifc FILE.xml)', () => {
    const ifcs = full.serviceProfiles[0]!.initialFilterCriteria;
    const list = buildInitialFilterCriteria(ifcs, { indent: '  ' });
    assert.match(list, /^<\?xml[^>]*>\n<InitialFilterCriteriaList>/);
    assert.deepEqual(parseInitialFilterCriteria(list), ifcs);
    const one = buildInitialFilterCriteria([ifcs[1]!]);
    assert.match(one, /^<\?xml[^>]*><InitialFilterCriteria><Priority>5/);
    assert.deepEqual(parseInitialFilterCriteria(one), [ifcs[1]]);
    assert.throws(() => parseInitialFilterCriteria('<IMSSubscription/>'), /root element/);
  });
});
