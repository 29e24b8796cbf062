import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type IfcEvaluationContext,
  matchingIfcs,
  nextMatchingIfc,
  triggerPointMatches,
} from '../../src/ims/ifc/evaluate.ts';
import {
  type InitialFilterCriteria,
  ProfilePartIndicator,
  RegistrationType,
  type ServicePointTrigger,
  SessionCase,
  type TriggerPoint,
} from '../../src/ims/ifc/model.ts';
import { formatMultipart, parseMessage, type SipRequest } from '../../src/sip/message/index.ts';

const SDP = [
  'v=0',
  'o=alice 2890844526 2890844526 IN IP4 192.0.2.10',
  's=-',
  'c=IN IP4 192.0.2.10',
  't=0 0',
  'm=audio 49170 RTP/AVP 0 8',
  'a=rtpmap:0 PCMU/8000',
  'm=video 51372 RTP/AVP 99',
  'a=rtpmap:99 H264/90000',
  '',
].join('\r\n');

interface RequestOptions {
  method?: string;
  uri?: string;
  headers?: string[];
  body?: Buffer | string;
  contentType?: string;
}

function request(o: RequestOptions = {}): SipRequest {
  const method = o.method ?? 'INVITE';
  const body = typeof o.body === 'string' ? Buffer.from(o.body) : (o.body ?? Buffer.alloc(0));
  const head = [
    `${method} ${o.uri ?? 'sip:bob@ims.test'} SIP/2.0`,
    'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-1',
    'Max-Forwards: 70',
    'From: <sip:alice@ims.test>;tag=a1',
    'To: <sip:bob@ims.test>',
    'Call-ID: c1@192.0.2.10',
    `CSeq: 1 ${method}`,
    ...(o.headers ?? []),
    ...(o.contentType ? [`Content-Type: ${o.contentType}`] : []),
    `Content-Length: ${body.length}`,
    '',
    '',
  ].join('\r\n');
  const msg = parseMessage(Buffer.concat([Buffer.from(head), body]));
  assert.ok(msg.isRequest);
  return msg as SipRequest;
}

const orig: IfcEvaluationContext = { sessionCase: SessionCase.ORIGINATING_SESSION, registered: true };

type SptBody = ServicePointTrigger extends infer S
  ? S extends ServicePointTrigger
    ? Omit<S, 'conditionNegated' | 'groups'>
    : never
  : never;

function spt(body: SptBody, groups: number[] = [0], conditionNegated = false): ServicePointTrigger {
  return { ...body, groups, conditionNegated } as ServicePointTrigger;
}

function cnf(...spts: ServicePointTrigger[]): TriggerPoint {
  return { conditionTypeCNF: true, spts };
}

function dnf(...spts: ServicePointTrigger[]): TriggerPoint {
  return { conditionTypeCNF: false, spts };
}

const one = (s: ServicePointTrigger, req: SipRequest, ctx = orig) => triggerPointMatches(cnf(s), req, ctx);

function ifc(
  priority: number,
  triggerPoint?: TriggerPoint,
  ppi?: ProfilePartIndicator,
): InitialFilterCriteria {
  return {
    priority,
    triggerPoint,
    applicationServer: { serverName: `sip:as${priority}.ims.test` },
    ...(ppi === undefined ? {} : { profilePartIndicator: ppi }),
  };
}

describe('iFC evaluation (TS 29.228 Annex B.2.2, Annex F; TS 23.218 §6.5)', () => {
  describe('RequestURI SPT', () => {
    it('searches the Request-URI as sent with an unanchored regular expression', () => {
      const req = request({ uri: 'sip:voicemail@ims.test;user=phone' });
      assert.equal(one(spt({ kind: 'requestUri', requestUri: 'voicemail@' }), req), true);
      assert.equal(one(spt({ kind: 'requestUri', requestUri: '^sip:voicemail@ims\\.test' }), req), true);
      assert.equal(one(spt({ kind: 'requestUri', requestUri: 'user=phone$' }), req), true);
      assert.equal(one(spt({ kind: 'requestUri', requestUri: '^tel:' }), req), false);
      assert.equal(
        one(spt({ kind: 'requestUri', requestUri: '^tel:\\+1' }), request({ uri: 'tel:+12015550123' })),
        true,
      );
    });

    it('never matches with an invalid regular expression, negated or not, and does not throw', () => {
      const req = request();
      assert.equal(one(spt({ kind: 'requestUri', requestUri: '([' }), req), false);
      assert.equal(one(spt({ kind: 'requestUri', requestUri: '([' }, [0], true), req), false);
    });
  });

  describe('Method SPT', () => {
    it('compares the method name case-sensitively', () => {
      assert.equal(one(spt({ kind: 'method', method: 'INVITE' }), request()), true);
      assert.equal(one(spt({ kind: 'method', method: 'invite' }), request()), false);
      assert.equal(one(spt({ kind: 'method', method: 'MESSAGE' }), request()), false);
      assert.equal(one(spt({ kind: 'method', method: 'MESSAGE' }), request({ method: 'MESSAGE' })), true);
    });

    it('REGISTER without registration types matches every REGISTER', () => {
      const reg = request({ method: 'REGISTER', uri: 'sip:ims.test' });
      const s = spt({ kind: 'method', method: 'REGISTER' });
      for (const registrationType of [
        undefined,
        ...Object.values(RegistrationType).filter((v) => typeof v === 'number'),
      ])
        assert.equal(
          one(s, reg, { ...orig, registrationType: registrationType as RegistrationType | undefined }),
          true,
        );
    });

    it('REGISTER with registration types matches only those kinds (Annex B.2.2 extension)', () => {
      const reg = request({ method: 'REGISTER', uri: 'sip:ims.test' });
      const s = spt({
        kind: 'method',
        method: 'REGISTER',
        registrationTypes: [RegistrationType.INITIAL_REGISTRATION, RegistrationType.DE_REGISTRATION],
      });
      const withType = (registrationType?: RegistrationType) => one(s, reg, { ...orig, registrationType });
      assert.equal(withType(RegistrationType.INITIAL_REGISTRATION), true);
      assert.equal(withType(RegistrationType.RE_REGISTRATION), false);
      assert.equal(withType(RegistrationType.DE_REGISTRATION), true);
      assert.equal(withType(undefined), false);
      // Not a REGISTER: the method test fails first.
      assert.equal(
        one(s, request(), { ...orig, registrationType: RegistrationType.INITIAL_REGISTRATION }),
        false,
      );
    });
  });

  describe('SIPHeader SPT', () => {
    const req = request({
      headers: [
        'Accept-Contact: *;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel"',
        'P-Preferred-Service: urn:urn-7:3gpp-service.ims.icsi.mmtel',
        'Subject: lunch',
        'Reply-To: <sip:carol@ims.test>',
        'X-Custom: first',
        'X-Custom: second',
        'P-Asserted-Identity: <sip:alice@ims.test>, <tel:+12015550123>',
        'k: 100rel',
      ],
    });

    it('without Content, tests presence of the header', () => {
      assert.equal(one(spt({ kind: 'sipHeader', header: 'Subject' }), req), true);
      assert.equal(one(spt({ kind: 'sipHeader', header: 'P-Access-Network-Info' }), req), false);
    });

    it('compares a plain header name case-insensitively, compact and long forms alike', () => {
      assert.equal(one(spt({ kind: 'sipHeader', header: 'subject' }), req), true);
      assert.equal(one(spt({ kind: 'sipHeader', header: 'x-custom' }), req), true);
      // Received as `k:`, asked for as Supported; received as Subject, asked for as `s`.
      assert.equal(one(spt({ kind: 'sipHeader', header: 'Supported', content: '100rel' }), req), true);
      assert.equal(one(spt({ kind: 'sipHeader', header: 's', content: 'lunch' }), req), true);
      // Received as `f:` compact form in another request.
      const compact = parseMessage(
        Buffer.from(
          'MESSAGE sip:bob@ims.test SIP/2.0\r\nv: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-2\r\n' +
            'f: <sip:carol@ims.test>;tag=1\r\nt: <sip:bob@ims.test>\r\ni: c2\r\nCSeq: 1 MESSAGE\r\nl: 0\r\n\r\n',
        ),
      ) as SipRequest;
      assert.equal(one(spt({ kind: 'sipHeader', header: 'From', content: 'carol' }), compact), true);
    });

    it('does not find a plain name inside a longer one (To is not Reply-To)', () => {
      const noTo = request({ headers: ['Reply-To: <sip:carol@ims.test>'] });
      assert.equal(one(spt({ kind: 'sipHeader', header: 'To', content: 'carol' }), noTo), false);
      assert.equal(one(spt({ kind: 'sipHeader', header: 'Reply-To', content: 'carol' }), noTo), true);
    });

    it('searches header names with a regular expression when Header is one', () => {
      assert.equal(one(spt({ kind: 'sipHeader', header: '^P-Preferred-.*' }), req), true);
      assert.equal(one(spt({ kind: 'sipHeader', header: '^p-.*-service$', content: 'mmtel' }), req), true);
      assert.equal(one(spt({ kind: 'sipHeader', header: '^P-Called.*' }), req), false);
    });

    it('with Content, matches any value of any instance of the header', () => {
      assert.equal(one(spt({ kind: 'sipHeader', header: 'X-Custom', content: '^second$' }), req), true);
      assert.equal(one(spt({ kind: 'sipHeader', header: 'X-Custom', content: '^third$' }), req), false);
      assert.equal(
        one(
          spt({ kind: 'sipHeader', header: 'Accept-Contact', content: '3gpp-service\\.ims\\.icsi\\.mmtel' }),
          req,
        ),
        true,
      );
      // An anchored Content matches one entry of a comma-separated list header.
      assert.equal(
        one(spt({ kind: 'sipHeader', header: 'P-Asserted-Identity', content: '^<tel:\\+1' }), req),
        true,
      );
      assert.equal(one(spt({ kind: 'sipHeader', header: 'Subject', content: 'dinner' }), req), false);
      assert.equal(one(spt({ kind: 'sipHeader', header: 'Absent', content: '.*' }), req), false);
    });

    it('negated without Content means the header is absent', () => {
      assert.equal(one(spt({ kind: 'sipHeader', header: 'P-Access-Network-Info' }, [0], true), req), true);
      assert.equal(one(spt({ kind: 'sipHeader', header: 'Subject' }, [0], true), req), false);
    });

    it('an invalid Content or Header expression never matches', () => {
      assert.equal(one(spt({ kind: 'sipHeader', header: 'Subject', content: '(' }), req), false);
      assert.equal(one(spt({ kind: 'sipHeader', header: '[', content: 'x' }, [0], true), req), false);
    });
  });

  describe('SessionCase SPT', () => {
    it('matches the session case of the context', () => {
      const s = spt({ kind: 'sessionCase', sessionCase: SessionCase.TERMINATING_REGISTERED });
      assert.equal(one(s, request(), { ...orig, sessionCase: SessionCase.TERMINATING_REGISTERED }), true);
      assert.equal(one(s, request(), { ...orig, sessionCase: SessionCase.TERMINATING_UNREGISTERED }), false);
      assert.equal(one(s, request(), orig), false);
      const cdiv = spt({ kind: 'sessionCase', sessionCase: SessionCase.ORIGINATING_CDIV });
      assert.equal(one(cdiv, request(), { ...orig, sessionCase: SessionCase.ORIGINATING_CDIV }), true);
    });
  });

  describe('SessionDescription SPT', () => {
    const withSdp = request({ body: SDP, contentType: 'application/sdp' });

    it('Line matches the type of an SDP line and Content its value', () => {
      assert.equal(one(spt({ kind: 'sessionDescription', line: 'm', content: '^video' }), withSdp), true);
      assert.equal(
        one(spt({ kind: 'sessionDescription', line: 'm', content: 'audio 49170' }), withSdp),
        true,
      );
      assert.equal(one(spt({ kind: 'sessionDescription', line: 'm', content: '^message' }), withSdp), false);
      assert.equal(one(spt({ kind: 'sessionDescription', line: 'a', content: 'H264' }), withSdp), true);
      // Content of one line type does not match another type's line.
      assert.equal(one(spt({ kind: 'sessionDescription', line: 'c', content: 'H264' }), withSdp), false);
      assert.equal(one(spt({ kind: 'sessionDescription', line: '^b$' }), withSdp), false);
      assert.equal(one(spt({ kind: 'sessionDescription', line: '^t$' }), withSdp), true);
    });

    it('never matches without an SDP body', () => {
      assert.equal(one(spt({ kind: 'sessionDescription', line: 'm' }), request()), false);
      const text = request({ body: SDP, contentType: 'text/plain' });
      assert.equal(one(spt({ kind: 'sessionDescription', line: 'm' }), text), false);
    });

    it('finds the SDP part of a multipart/mixed body', () => {
      const mp = formatMultipart([
        {
          headers: new Map([['content-type', 'application/isup;version=itu-t92+']]),
          content: Buffer.from([1, 0, 0x49]),
        },
        { headers: new Map([['content-type', 'application/sdp']]), content: Buffer.from(SDP) },
      ]);
      const req = request({ body: mp.body, contentType: mp.contentType });
      assert.equal(one(spt({ kind: 'sessionDescription', line: 'm', content: '^video' }), req), true);
      assert.equal(one(spt({ kind: 'sessionDescription', line: 'm', content: '^image' }), req), false);
    });

    it('a multipart body without an SDP part does not match', () => {
      const mp = formatMultipart([
        { headers: new Map([['content-type', 'text/plain']]), content: Buffer.from('m=audio 1 RTP/AVP 0') },
      ]);
      const req = request({ body: mp.body, contentType: mp.contentType });
      assert.equal(one(spt({ kind: 'sessionDescription', line: 'm' }), req), false);
    });
  });

  describe('Annex F: CNF and DNF over groups', () => {
    // Four SPTs; `shared` belongs to groups 1 and 2.
    const invite = spt({ kind: 'method', method: 'INVITE' }, [1]);
    const message = spt({ kind: 'method', method: 'MESSAGE' }, [1]);
    const shared = spt({ kind: 'requestUri', requestUri: '^sip:bob@' }, [1, 2]);
    const video = spt({ kind: 'sessionDescription', line: 'm', content: '^video' }, [2]);

    it('an absent trigger point matches everything', () => {
      assert.equal(triggerPointMatches(undefined, request(), orig), true);
      assert.equal(triggerPointMatches(undefined, request({ method: 'OPTIONS' }), orig), true);
    });

    it('CNF: every group must hold a matching SPT', () => {
      // (INVITE or MESSAGE or uri bob) and (uri bob or video)
      const tp = cnf(invite, message, shared, video);
      assert.equal(triggerPointMatches(tp, request(), orig), true); // via shared in both groups
      assert.equal(triggerPointMatches(tp, request({ uri: 'sip:carol@ims.test' }), orig), false);
      assert.equal(
        triggerPointMatches(
          tp,
          request({ uri: 'sip:carol@ims.test', body: SDP, contentType: 'application/sdp' }),
          orig,
        ),
        true,
      );
      assert.equal(
        triggerPointMatches(
          tp,
          request({
            method: 'OPTIONS',
            uri: 'sip:carol@ims.test',
            body: SDP,
            contentType: 'application/sdp',
          }),
          orig,
        ),
        false,
      );
    });

    it('DNF: one group whose SPTs all match is enough', () => {
      // (INVITE and MESSAGE and uri bob) or (uri bob and video)
      const tp = dnf(invite, message, shared, video);
      assert.equal(triggerPointMatches(tp, request(), orig), false); // group 1 needs two methods; no video
      assert.equal(
        triggerPointMatches(tp, request({ body: SDP, contentType: 'application/sdp' }), orig),
        true,
      );
      assert.equal(
        triggerPointMatches(
          tp,
          request({ uri: 'sip:carol@ims.test', body: SDP, contentType: 'application/sdp' }),
          orig,
        ),
        false,
      );
      // DNF (INVITE and uri bob) or (video)
      const tp2 = dnf(
        spt({ kind: 'method', method: 'INVITE' }, [1]),
        spt({ kind: 'requestUri', requestUri: 'bob' }, [1]),
        video,
      );
      assert.equal(triggerPointMatches(tp2, request(), orig), true);
      assert.equal(triggerPointMatches(tp2, request({ method: 'MESSAGE' }), orig), false);
    });

    it('ConditionNegated inverts an SPT inside a group', () => {
      // CNF: INVITE and not (Subject present)
      const tp = cnf(
        spt({ kind: 'method', method: 'INVITE' }, [1]),
        spt({ kind: 'sipHeader', header: 'Subject' }, [2], true),
      );
      assert.equal(triggerPointMatches(tp, request(), orig), true);
      assert.equal(triggerPointMatches(tp, request({ headers: ['Subject: hi'] }), orig), false);
      // DNF: (not INVITE) or (originating)
      const tp2 = dnf(
        spt({ kind: 'method', method: 'INVITE' }, [1], true),
        spt({ kind: 'sessionCase', sessionCase: SessionCase.ORIGINATING_SESSION }, [2]),
      );
      assert.equal(
        triggerPointMatches(tp2, request(), { ...orig, sessionCase: SessionCase.TERMINATING_REGISTERED }),
        false,
      );
      assert.equal(
        triggerPointMatches(tp2, request({ method: 'MESSAGE' }), {
          ...orig,
          sessionCase: SessionCase.TERMINATING_REGISTERED,
        }),
        true,
      );
      assert.equal(triggerPointMatches(tp2, request(), orig), true);
    });

    it('a trigger point without any SPT applies to nothing', () => {
      assert.equal(triggerPointMatches(cnf(), request(), orig), false);
      assert.equal(triggerPointMatches(dnf(), request(), orig), false);
    });
  });

  describe('lists of iFCs', () => {
    const inviteOnly = cnf(spt({ kind: 'method', method: 'INVITE' }));
    const messageOnly = cnf(spt({ kind: 'method', method: 'MESSAGE' }));
    const list: InitialFilterCriteria[] = [
      ifc(30, inviteOnly),
      ifc(5, messageOnly),
      ifc(10, undefined),
      ifc(20, inviteOnly, ProfilePartIndicator.UNREGISTERED),
      ifc(1, inviteOnly, ProfilePartIndicator.REGISTERED),
    ];

    it('returns the applying iFCs lowest Priority first', () => {
      assert.deepEqual(
        matchingIfcs(list, request(), orig).map((i) => i.priority),
        [1, 10, 30],
      );
      assert.deepEqual(
        matchingIfcs(list, request({ method: 'MESSAGE' }), orig).map((i) => i.priority),
        [5, 10],
      );
      // The input is not reordered.
      assert.deepEqual(
        list.map((i) => i.priority),
        [30, 5, 10, 20, 1],
      );
    });

    it('applies ProfilePartIndicator by registration state', () => {
      const unreg = { sessionCase: SessionCase.TERMINATING_UNREGISTERED, registered: false };
      assert.deepEqual(
        matchingIfcs(list, request(), unreg).map((i) => i.priority),
        [10, 20, 30],
      );
    });

    it('nextMatchingIfc resumes after the Priority of the iFC that sent the request to an AS', () => {
      const req = request();
      const first = nextMatchingIfc(list, req, orig);
      assert.equal(first?.priority, 1);
      assert.equal(nextMatchingIfc(list, req, orig, 1)?.priority, 10);
      assert.equal(nextMatchingIfc(list, req, orig, 10)?.priority, 30);
      // Strictly greater: a Priority between two iFCs resumes at the next one.
      assert.equal(nextMatchingIfc(list, req, orig, 25)?.priority, 30);
      assert.equal(nextMatchingIfc(list, req, orig, 30), undefined);
      assert.equal(nextMatchingIfc([], req, orig), undefined);
      // Each step sees the request as the AS returned it.
      assert.equal(nextMatchingIfc(list, request({ method: 'MESSAGE' }), orig, 1)?.priority, 5);
    });
  });
});
