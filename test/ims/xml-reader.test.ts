import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';
import { attribute, readXml, XmlSyntaxError } from '../../src/ims/xml-reader.ts';

function fails(xml: string, reason: RegExp | string, line?: number, column?: number) {
  assert.throws(
    () => readXml(xml),
    (err: unknown) => {
      assert.ok(err instanceof XmlSyntaxError, `XmlSyntaxError expected, got ${err}`);
      if (typeof reason === 'string') assert.ok(err.reason.includes(reason), err.reason);
      else assert.match(err.reason, reason);
      if (line !== undefined) assert.equal(err.line, line);
      if (column !== undefined) assert.equal(err.column, column);
      return true;
    },
  );
}

describe('xml-reader (XML 1.0 well-formedness)', () => {
  it('reads elements, attributes in order, text, CDATA and references', () => {
    const root = readXml(
      '\ufeff<?xml version="1.0" encoding="UTF-8"?>\n<!-- c --><a x="1" y=\'&lt;2&gt;\'>t&amp;u<b/><![CDATA[<raw>]]>&#65;&#x42;<c z="&quot;">in</c></a>\n<?pi x?>',
    );
    assert.equal(root.name, 'a');
    assert.deepEqual(root.attributes, [
      ['x', '1'],
      ['y', '<2>'],
    ]);
    assert.equal(root.text, 't&u<raw>AB');
    assert.deepEqual(
      root.children.map((c) => c.name),
      ['b', 'c'],
    );
    assert.equal(root.children[1]!.text, 'in');
    assert.equal(attribute(root.children[1]!, 'z'), '"');
    assert.equal(attribute(root, 'missing'), undefined);
  });

  it('keeps prefixes in names (namespaces are the caller’s)', () => {
    const root = readXml('<r:reginfo xmlns:r="urn:x"><r:registration/></r:reginfo>');
    assert.equal(root.name, 'r:reginfo');
    assert.equal(root.children[0]!.name, 'r:registration');
  });

  it('refuses what is not well-formed, saying where', () => {
    fails('', 'no root element');
    fails('text', 'text outside the root element');
    fails('<a>', 'not closed');
    fails('<a></b>', '</b> does not close <a>', 1, 4);
    fails('<a/><b/>', 'exactly one root element');
    fails('<a/>x', 'text after the root element');
    fails('<a x=1/>', 'must be quoted');
    fails('<a x="1" x="2"/>', 'attribute x repeated');
    fails('<a x="1"y="2"/>', 'white space expected');
    fails('<a x="<"/>', "'<' is not allowed");
    fails('<a>&nbsp;</a>', 'unknown reference &nbsp;');
    fails('<a>&#0;</a>', 'unknown reference &#0;');
    fails('<a>& b</a>', "'&' must start a reference");
    fails('<a><!-- x</a>', 'comment not closed');
    fails('<a><![CDATA[x</a>', 'CDATA section not closed');
    fails('<a>\n  <b>\n</a>', '</a> does not close <b>', 3, 1);
    fails(' <?xml version="1.0"?><a/>', 'XML declaration not at the start');
    fails('<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', 'a DOCTYPE is not allowed');
    fails('<1a/>', 'a name was expected');
  });

  it('agrees with a reference validator on generated documents and their mutations', () => {
    const name = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9._-]{0,6}$/);
    const text = fc.stringMatching(/^[a-zA-Z0-9 .,;:!?()=+-]{0,12}$/);
    const level = (kids: fc.Arbitrary<string>) =>
      fc
        .tuple(name, fc.uniqueArray(name, { maxLength: 3 }), text, fc.array(kids, { maxLength: 3 }))
        .map(
          ([n, attrs, t, inner]) =>
            `<${n}${attrs.map((a, i) => ` ${a}="v${i}&amp;"`).join('')}>${t}${inner.join('')}</${n}>`,
        );
    const element = level(level(level(fc.constant('<leaf/>'))));
    fc.assert(
      fc.property(element, (doc) => {
        assert.doesNotThrow(() => readXml(doc));
      }),
      { numRuns: 300 },
    );
    // Deleting one character: what the reference refuses, we refuse; we refuse more only for an
    // undeclared or unterminated reference (XML 1.0 §4.1), which the reference lets through.
    fc.assert(
      fc.property(element, fc.nat(), (doc, at) => {
        const i = at % doc.length;
        const mutated = doc.slice(0, i) + doc.slice(i + 1);
        let refusal: string | undefined;
        try {
          readXml(mutated);
        } catch (err) {
          assert.ok(err instanceof XmlSyntaxError);
          refusal = err.reason;
        }
        const reference = mutated.trim() !== '' && XMLValidator.validate(mutated) === true;
        if (!reference) assert.ok(refusal !== undefined, `accepted: ${mutated}`);
        else if (refusal !== undefined) assert.match(refusal, /reference/, mutated);
      }),
      { numRuns: 500 },
    );
  });
});
