import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  buildReginfo,
  CONTACT_EVENTS,
  parseReginfo,
  REGINFO_CONTENT_TYPE,
  type Reginfo,
  ReginfoError,
} from '../../src/ims/reginfo.ts';

/** Asserts a ReginfoError whose message contains `text`. */
function rejects(fn: () => unknown, text: string | RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ReginfoError, `expected ReginfoError, got ${String(err)}`);
    assert.equal(err.code, 'ERR_REGINFO');
    if (typeof text === 'string') assert.ok(err.message.includes(text), `message: ${err.message}`);
    else assert.match(err.message, text);
    return true;
  });
}

/** What an S-CSCF sends (TS 24.229 §5.4.2.1.2): every field the model has. */
const full: Reginfo = {
  version: 3,
  state: 'full',
  registrations: [
    {
      aor: 'sip:alice@ims.test',
      id: 'reg-1',
      state: 'active',
      contacts: [
        {
          id: 'c-1',
          state: 'active',
          event: 'registered',
          uri: 'sip:alice@192.0.2.10:5060;transport=udp',
          displayName: 'Alice <A & B>',
          expires: 600000,
          durationRegistered: 12,
          q: '0.8',
          callId: 'abc@192.0.2.10',
          cseq: 42,
          unknownParams: [
            { name: '+sip.instance', value: '"<urn:gsma:imei:35209900-176148-1>"' },
            { name: '+g.3gpp.icsi-ref', value: '"urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel"' },
            { name: 'audio' },
          ],
        },
        {
          id: 'c-2',
          state: 'terminated',
          event: 'probation',
          uri: 'sip:alice@198.51.100.7',
          retryAfter: 30,
        },
      ],
    },
    { aor: 'tel:+12015550123', id: 'reg-2', state: 'init', contacts: [] },
  ],
};

describe('reginfo (RFC 3680 §5)', () => {
  it('has the RFC 3680 §8.2 content type', () => {
    assert.equal(REGINFO_CONTENT_TYPE, 'application/reginfo+xml');
    assert.equal(CONTACT_EVENTS.length, 9);
  });

  it('round-trips every field', () => {
    const xml = buildReginfo(full);
    assert.match(
      xml,
      /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="3" state="full">/,
    );
    assert.deepEqual(parseReginfo(xml), full);
  });

  it('writes attributes as RFC 3680 names them', () => {
    const xml = buildReginfo(full);
    assert.match(
      xml,
      /<contact id="c-1" state="active" event="registered" expires="600000" duration-registered="12" q="0\.8" callid="abc@192\.0\.2\.10" cseq="42">/,
    );
    assert.match(xml, /<contact id="c-2" state="terminated" event="probation" retry-after="30">/);
    assert.match(xml, /<unknown-param name="audio"\/>/);
    assert.match(xml, /<registration aor="tel:\+12015550123" id="reg-2" state="init"\/>/);
  });

  it('escapes & and < in text and attributes', () => {
    const info: Reginfo = {
      version: 0,
      state: 'partial',
      registrations: [
        {
          aor: 'sip:a&b@ims.test',
          id: 'x"<y>',
          state: 'active',
          contacts: [
            {
              id: 'tab\tand\nnewline',
              state: 'active',
              event: 'created',
              uri: 'sip:alice@ims.test;p=a&b<c',
              displayName: 'literal &lt; and &amp; stay as typed',
            },
          ],
        },
      ],
    };
    const xml = buildReginfo(info);
    assert.ok(xml.includes('aor="sip:a&amp;b@ims.test"'), xml);
    assert.ok(xml.includes('id="x&quot;&lt;y&gt;"'), xml);
    assert.ok(xml.includes('<uri>sip:alice@ims.test;p=a&amp;b&lt;c</uri>'), xml);
    assert.ok(xml.includes('literal &amp;lt; and &amp;amp; stay as typed'), xml);
    assert.deepEqual(parseReginfo(xml), info);
  });

  it('an empty document has no registration', () => {
    const empty: Reginfo = { version: 0, state: 'full', registrations: [] };
    const xml = buildReginfo(empty);
    assert.ok(xml.includes('<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="0" state="full"/>'));
    assert.deepEqual(parseReginfo(xml), empty);
  });

  describe('RFC 3680 documents', () => {
    it('reads the §5.3 example', () => {
      // Two contacts of one AOR: one active, one that expired.
      const xml = `<?xml version="1.0"?>
    <reginfo xmlns="urn:ietf:params:xml:ns:reginfo"
                 version="0" state="full">
      <registration aor="sip:user@example.com" id="as9"
                    state="active">
        <contact id="76" state="active" event="registered"
                 duration-registered="7322"
                 q="0.8">
                 <uri>sip:user@pc887.example.com</uri>
        </contact>
        <contact id="77" state="terminated" event="expired"
                 duration-registered="3600"
                 q="0.5">
                 <uri>sip:user@university.edu</uri>
        </contact>
      </registration>
    </reginfo>`;
      assert.deepEqual(parseReginfo(xml), {
        version: 0,
        state: 'full',
        registrations: [
          {
            aor: 'sip:user@example.com',
            id: 'as9',
            state: 'active',
            contacts: [
              {
                id: '76',
                state: 'active',
                event: 'registered',
                durationRegistered: 7322,
                q: '0.8',
                uri: 'sip:user@pc887.example.com',
              },
              {
                id: '77',
                state: 'terminated',
                event: 'expired',
                durationRegistered: 3600,
                q: '0.5',
                uri: 'sip:user@university.edu',
              },
            ],
          },
        ],
      });
    });

    it('reads the §6 call flow: init, then a partial notification of the new contact', () => {
      const first = `<?xml version="1.0"?>
<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="0" state="full">
  <registration aor="sip:joe@example.com" id="a7" state="init" />
</reginfo>`;
      assert.deepEqual(parseReginfo(first), {
        version: 0,
        state: 'full',
        registrations: [{ aor: 'sip:joe@example.com', id: 'a7', state: 'init', contacts: [] }],
      });
      const second = `<?xml version="1.0"?>
<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="1" state="partial">
  <registration aor="sip:joe@example.com" id="a7" state="active">
    <contact id="76" state="active" event="registered" duration-registered="0">
      <uri>sip:joe@pc34.example.com</uri>
    </contact>
  </registration>
</reginfo>`;
      const parsed = parseReginfo(second);
      assert.equal(parsed.state, 'partial');
      assert.equal(parsed.version, 1);
      assert.deepEqual(parsed.registrations[0]?.contacts, [
        {
          id: '76',
          state: 'active',
          event: 'registered',
          durationRegistered: 0,
          uri: 'sip:joe@pc34.example.com',
        },
      ]);
    });
  });

  it('resolves the namespace by URI, whatever the prefix', () => {
    const xml = `<r:reginfo xmlns:r="urn:ietf:params:xml:ns:reginfo" version="5" state="partial">
  <r:registration aor="sip:bob@ims.test" id="1" state="terminated">
    <r:contact id="9" state="terminated" event="deactivated"><r:uri>sip:bob@192.0.2.2</r:uri></r:contact>
  </r:registration></r:reginfo>`;
    const parsed = parseReginfo(xml);
    assert.equal(parsed.registrations[0]?.contacts[0]?.event, 'deactivated');
  });

  it('ignores elements and attributes of other namespaces (RFC 5628 GRUU)', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" xmlns:gr="urn:ietf:params:xml:ns:gruuinfo"
  xmlns:ext="urn:example:ext" version="2" state="full" ext:flag="1">
  <registration aor="sip:alice@ims.test" id="a" state="active">
    <contact id="c" state="active" event="refreshed" expires="3600" ext:extra="x">
      <uri>sip:alice@192.0.2.10</uri>
      <display-name xml:lang="en">Alice</display-name>
      <unknown-param name="+sip.instance">"&lt;urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6&gt;"</unknown-param>
      <gr:pub-gruu uri="sip:alice@ims.test;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"/>
      <gr:temp-gruu uri="sip:tgruu.7hs==jd7vnzga5w7fajsc7-ajd6fabz0f8g5@ims.test;gr" first-cseq="54301"/>
      <uri xmlns="urn:example:other">not the contact uri</uri>
    </contact>
    <ext:note>ignored</ext:note>
  </registration>
  <ext:registration aor="sip:not-ours@ims.test"/>
</reginfo>`;
    assert.deepEqual(parseReginfo(xml), {
      version: 2,
      state: 'full',
      registrations: [
        {
          aor: 'sip:alice@ims.test',
          id: 'a',
          state: 'active',
          contacts: [
            {
              id: 'c',
              state: 'active',
              event: 'refreshed',
              expires: 3600,
              uri: 'sip:alice@192.0.2.10',
              displayName: 'Alice',
              unknownParams: [
                { name: '+sip.instance', value: '"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>"' },
              ],
            },
          ],
        },
      ],
    });
  });

  describe('refuses bad documents with a ReginfoError', () => {
    it('malformed XML', () => {
      rejects(
        () => parseReginfo('<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="0" state="full">'),
        'not well-formed',
      );
      rejects(() => parseReginfo('not xml at all'), 'reginfo');
      rejects(() => parseReginfo(''), 'reginfo');
      rejects(() => parseReginfo('<a/><b/>'), 'exactly one root');
      rejects(() => parseReginfo('<!DOCTYPE x [<!ENTITY e "x">]><reginfo/>'), 'DOCTYPE');
      rejects(() => parseReginfo('<p:reginfo version="0" state="full"/>'), 'prefix p is not declared');
    });

    it('the wrong root element or namespace', () => {
      rejects(
        () => parseReginfo('<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@b"/>'),
        'root element must be reginfo',
      );
      rejects(() => parseReginfo('<reginfo version="0" state="full"/>'), 'urn:ietf:params:xml:ns:reginfo');
      rejects(() => parseReginfo('<reginfo xmlns="urn:example" version="0" state="full"/>'), 'root element');
    });

    const doc = (root: string, registration = '', contact = '', inner = '<uri>sip:a@192.0.2.1</uri>') =>
      `<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" ${root}>` +
      `<registration ${registration}><contact ${contact}>${inner}</contact></registration></reginfo>`;
    const goodRoot = 'version="1" state="full"';
    const goodReg = 'aor="sip:a@ims.test" id="r" state="active"';
    const goodContact = 'id="c" state="active" event="registered"';

    it('accepts the base document used below', () => {
      assert.equal(parseReginfo(doc(goodRoot, goodReg, goodContact)).registrations[0]?.contacts.length, 1);
    });

    it('a missing required attribute or element', () => {
      rejects(() => parseReginfo(doc('state="full"', goodReg, goodContact)), 'attribute version is required');
      rejects(() => parseReginfo(doc('version="1"', goodReg, goodContact)), 'attribute state is required');
      rejects(
        () => parseReginfo(doc(goodRoot, 'id="r" state="active"', goodContact)),
        'attribute aor is required',
      );
      rejects(
        () => parseReginfo(doc(goodRoot, 'aor="sip:a@ims.test" state="active"', goodContact)),
        'attribute id is required',
      );
      rejects(
        () => parseReginfo(doc(goodRoot, goodReg, 'state="active" event="registered"')),
        /contact\[0\]: attribute id is required/,
      );
      rejects(
        () => parseReginfo(doc(goodRoot, goodReg, 'id="c" event="registered"')),
        'attribute state is required',
      );
      rejects(
        () => parseReginfo(doc(goodRoot, goodReg, 'id="c" state="active"')),
        'attribute event is required',
      );
      rejects(() => parseReginfo(doc(goodRoot, goodReg, goodContact, '')), 'contact[0]/uri: is required');
      rejects(
        () => parseReginfo(doc(goodRoot, goodReg, goodContact, '<uri> </uri>')),
        'uri must not be empty',
      );
      rejects(
        () => parseReginfo(doc(goodRoot, goodReg, goodContact, '<uri>sip:a@b</uri><uri>sip:c@d</uri>')),
        'uri may appear only once',
      );
      rejects(
        () =>
          parseReginfo(
            doc(goodRoot, goodReg, goodContact, '<uri>sip:a@b</uri><unknown-param>x</unknown-param>'),
          ),
        'attribute name is required',
      );
    });

    it('bad enumeration values', () => {
      rejects(
        () => parseReginfo(doc('version="1" state="complete"', goodReg, goodContact)),
        'state "complete" is not one of full, partial',
      );
      rejects(
        () => parseReginfo(doc(goodRoot, 'aor="sip:a@ims.test" id="r" state="gone"', goodContact)),
        'not one of init, active, terminated',
      );
      rejects(
        () => parseReginfo(doc(goodRoot, goodReg, 'id="c" state="Active" event="registered"')),
        'not one of active, terminated',
      );
      rejects(
        () => parseReginfo(doc(goodRoot, goodReg, 'id="c" state="active" event="removed"')),
        'event "removed" is not one of',
      );
    });

    it('bad numbers', () => {
      rejects(
        () => parseReginfo(doc('version="-1" state="full"', goodReg, goodContact)),
        'version must be a non-negative integer',
      );
      rejects(() => parseReginfo(doc('version="1.5" state="full"', goodReg, goodContact)), 'version must be');
      rejects(() => parseReginfo(doc(goodRoot, goodReg, `${goodContact} expires="soon"`)), 'expires must be');
      rejects(
        () => parseReginfo(doc(goodRoot, goodReg, `${goodContact} cseq="99999999999999999999"`)),
        'cseq must be',
      );
      assert.equal(parseReginfo(doc(' version=" 7 " state="full"', goodReg, goodContact)).version, 7);
    });
  });

  it('throws nothing but ReginfoError on arbitrary input', () => {
    const fragments = fc.constantFrom(
      '<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="1" state="full">',
      '</reginfo>',
      '<registration aor="sip:a@b" id="r" state="active">',
      '</registration>',
      '<contact id="c" state="active" event="registered">',
      '</contact>',
      '<uri>sip:x@y</uri>',
      '<unknown-param name="n">v</unknown-param>',
      '&amp;',
      '<',
      '"',
      ' expires="x"',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(fragments, fc.string()), { maxLength: 12 }), (parts) => {
        try {
          parseReginfo(parts.join(''));
        } catch (err) {
          assert.ok(err instanceof ReginfoError, String(err));
        }
      }),
      { numRuns: 500 },
    );
  });

  describe('refuses to build an invalid document', () => {
    const base = structuredClone(full);
    const broken = (change: (r: Reginfo) => void): Reginfo => {
      const copy = structuredClone(base);
      change(copy);
      return copy;
    };

    it('bad values name the element at fault', () => {
      rejects(() => buildReginfo(broken((r) => (r.version = -1))), 'version must be');
      rejects(() => buildReginfo(broken((r) => ((r as { state: string }).state = 'none'))), 'state "none"');
      rejects(
        () =>
          buildReginfo(
            broken((r) => ((r.registrations[0]!.contacts[1] as { event: string }).event = 'gone')),
          ),
        /registration\[0\]\/contact\[1\]: event "gone"/,
      );
      rejects(
        () => buildReginfo(broken((r) => (r.registrations[0]!.aor = ''))),
        'aor must be a non-empty string',
      );
      rejects(() => buildReginfo(broken((r) => (r.registrations[0]!.contacts[0]!.uri = ''))), 'uri must be');
      rejects(
        () => buildReginfo(broken((r) => (r.registrations[0]!.contacts[0]!.expires = 1.5))),
        'expires must be',
      );
      rejects(
        () => buildReginfo(broken((r) => (r.registrations[0]!.contacts[0]!.displayName = 'bell\u0007'))),
        'display-name',
      );
    });
  });
});
