import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DefaultHandling,
  type InitialFilterCriteria,
  ProfilePartIndicator,
  RegistrationType,
  SessionCase,
  validateInitialFilterCriteria,
  validateInitialFilterCriteriaList,
} from '../../src/ims/ifc/model.ts';

const valid: InitialFilterCriteria = {
  priority: 10,
  triggerPoint: {
    conditionTypeCNF: true,
    spts: [
      { kind: 'method', method: 'INVITE', conditionNegated: false, groups: [0] },
      {
        kind: 'sessionCase',
        sessionCase: SessionCase.ORIGINATING_SESSION,
        conditionNegated: false,
        groups: [1],
      },
      { kind: 'sipHeader', header: 'P-Access-Network-Info', conditionNegated: true, groups: [1] },
      { kind: 'requestUri', requestUri: 'sip:voicemail@.*', conditionNegated: false, groups: [2] },
      { kind: 'sessionDescription', line: 'm', content: 'audio', conditionNegated: false, groups: [2] },
    ],
  },
  applicationServer: {
    serverName: 'sip:mmtel.ims.test:5080',
    defaultHandling: DefaultHandling.SESSION_CONTINUED,
  },
  profilePartIndicator: ProfilePartIndicator.REGISTERED,
};

describe('iFC model (TS 29.228 Annex B.2.2, Annex E)', () => {
  it('uses the Annex E enumeration values', () => {
    assert.deepEqual(
      [
        SessionCase.ORIGINATING_SESSION,
        SessionCase.TERMINATING_REGISTERED,
        SessionCase.TERMINATING_UNREGISTERED,
        SessionCase.ORIGINATING_UNREGISTERED,
        SessionCase.ORIGINATING_CDIV,
      ],
      [0, 1, 2, 3, 4],
    );
    assert.equal(DefaultHandling.SESSION_TERMINATED, 1);
    assert.equal(ProfilePartIndicator.UNREGISTERED, 1);
    assert.equal(RegistrationType.DE_REGISTRATION, 2);
  });

  it('accepts a valid iFC with every kind of SPT', () => {
    assert.deepEqual(validateInitialFilterCriteria(valid), []);
  });

  it('reports each wrong field with its path', () => {
    const bad = {
      priority: -1,
      triggerPoint: {
        conditionTypeCNF: 'yes',
        spts: [
          { kind: 'method', method: 'IN VITE', conditionNegated: false, groups: [] },
          { kind: 'sessionCase', sessionCase: 7, conditionNegated: false, groups: [0] },
          { kind: 'sipHeader', header: 'X', content: '(', conditionNegated: false, groups: [0] },
          { kind: 'method', method: 'INVITE', registrationTypes: [0], conditionNegated: false, groups: [0] },
        ],
      },
      applicationServer: { serverName: 'http://as', defaultHandling: 3 },
      profilePartIndicator: 2,
    } as unknown as InitialFilterCriteria;
    const fields = validateInitialFilterCriteria(bad, 'ifc').map((i) => i.field);
    assert.deepEqual(fields, [
      'ifc.priority',
      'ifc.triggerPoint.conditionTypeCNF',
      'ifc.triggerPoint.spts[0].groups',
      'ifc.triggerPoint.spts[0].method',
      'ifc.triggerPoint.spts[1].sessionCase',
      'ifc.triggerPoint.spts[2].content',
      'ifc.triggerPoint.spts[3].registrationTypes',
      'ifc.applicationServer.serverName',
      'ifc.applicationServer.defaultHandling',
      'ifc.profilePartIndicator',
    ]);
  });

  it('allows RegistrationType only with method REGISTER, without repeats', () => {
    const spt = (registrationTypes: number[]) => ({
      priority: 0,
      triggerPoint: {
        conditionTypeCNF: false,
        spts: [
          {
            kind: 'method' as const,
            method: 'REGISTER',
            registrationTypes,
            conditionNegated: false,
            groups: [0],
          },
        ],
      },
      applicationServer: { serverName: 'sip:as.ims.test' },
    });
    assert.deepEqual(validateInitialFilterCriteria(spt([0, 1])), []);
    assert.match(validateInitialFilterCriteria(spt([1, 1]))[0]?.message ?? '', /repeat/);
    assert.equal(
      validateInitialFilterCriteria(spt([5]))[0]?.field,
      'triggerPoint.spts[0].registrationTypes[0]',
    );
  });

  it('an iFC without trigger point is valid (it always matches)', () => {
    assert.deepEqual(
      validateInitialFilterCriteria({ priority: 0, applicationServer: { serverName: 'sip:as.ims.test' } }),
      [],
    );
  });

  it('refuses two iFCs of a profile with the same priority', () => {
    const issues = validateInitialFilterCriteriaList([valid, { ...valid }], 'initialFilterCriteria');
    assert.deepEqual(issues, [
      { field: 'initialFilterCriteria[1].priority', message: 'same priority as initialFilterCriteria[0]' },
    ]);
  });
});
