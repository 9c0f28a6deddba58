import { describe, expect, it } from "vitest";
import { msg, q, qError } from "../test/helpers.js";
import { formatXML } from "./xml.js";

// Expected texts worked through mxj v2.7.0's marshalMapToXmlIndent, which format_xml calls
// (`Map.Xml()` with no_indent, `Map.XmlIndent("", indent, root_tag)` otherwise).

const body = (json: string) => msg(json);

describe("xml - format_xml", () => {
  it("format_xml - the reference's examples, indented and not", () => {
    const m = body('{"foo":{"bar":{"baz":"foo bar baz"}}}');
    expect(q("this.format_xml()", m)).toBe(
      "<foo>\n    <bar>\n        <baz>foo bar baz</baz>\n    </bar>\n</foo>",
    );
    expect(q("this.format_xml(no_indent: true)", m)).toBe("<foo><bar><baz>foo bar baz</baz></bar></foo>");
  });

  it("format_xml - attributes (sorted), #text, repeated elements, empty values", () => {
    const m = body('{"a":{"-z":"1","-id":2,"#text":"x"},"b":[1,2],"c":{"d":null,"e":[]},"f":true}');
    expect(q("this.format_xml(no_indent: true)", m)).toBe(
      '<doc><a id="2" z="1">x</a><b>1</b><b>2</b><c><d/><e/></c><f>true</f></doc>',
    );
    // mxj pads an empty list's element twice over when indenting.
    expect(q("this.format_xml()", m)).toBe(
      '<doc>\n    <a id="2" z="1">x</a>\n    <b>1</b>\n    <b>2</b>\n    <c>\n        <d/>\n        <e    />\n    </c>\n    <f>true</f>\n</doc>',
    );
  });

  it("format_xml - an element of attributes only, and #text beside children", () => {
    const m = body('{"a":{"-k":"v"},"b":{"#text":"t","c":"1"}}');
    expect(q("this.format_xml(no_indent: true)", m)).toBe('<doc><a k="v"/><b>t<c>1</c></b></doc>');
  });

  it("format_xml - the root: the only key, or doc around a list (always when indenting), or root_tag", () => {
    expect(q('{"a":[{"x":1},{"x":2}]}.format_xml(no_indent: true)')).toBe("<a><x>1</x></a><a><x>2</x></a>");
    expect(q('{"a":[1,{"x":2}]}.format_xml(no_indent: true)')).toBe("<doc><a>1</a><a><x>2</x></a></doc>");
    expect(q('{"a":[{"x":1}]}.format_xml(indent: "")')).toBe("<doc>\n<a>\n<x>1</x>\n</a>\n</doc>");
    expect(q('{"a":{"b":"1"}}.format_xml(root_tag: "r", indent: "\\t")')).toBe(
      "<r>\n\t<a>\n\t\t<b>1</b>\n\t</a>\n</r>",
    );
    expect(q('{"a":"1"}.format_xml(root_tag: "r", no_indent: true)')).toBe("<a>1</a>"); // ignored, as in the reference
    expect(q("{}.format_xml()")).toBe("<doc/>");
  });

  it("format_xml - values print with Go's %v and are not escaped", () => {
    const m = body('{"a":{"n":1.50,"f":1000000.0,"s":"x < y & \\"z\\""}}');
    expect(q("this.format_xml(no_indent: true)", m)).toBe(
      '<a><f>1000000.0</f><n>1.50</n><s>x < y & "z"</s></a>',
    );
    expect(q('{"a": {"f": 1000000.0 + 0, "i": 5, "b": "hi".bytes()}}.format_xml(no_indent: true)')).toBe(
      "<a><b>hi</b><f>1e+06</f><i>5</i></a>",
    );
    expect(
      q('{"t": "2020-01-02T03:04:05Z".ts_parse("2006-01-02T15:04:05Z07:00")}.format_xml(no_indent: true)'),
    ).toBe("<t><Time>2020-01-02T03:04:05Z</Time></t>");
  });

  it("format_xml - gives bytes, which parse_xml reads back", () => {
    expect(q('{"a":{"b":"1"}}.format_xml().type()')).toBe("bytes");
    expect(q('{"a":{"-id":"7","b":["1","2"]}}.format_xml().parse_xml().string()')).toBe(
      '{"a":{"-id":"7","b":["1","2"]}}',
    );
  });

  it("format_xml - an attribute that is not a scalar, and a target that is not an object, fail", () => {
    expect(qError('{"a":{"-x":{}}}.format_xml()').message).toBe(
      "invalid attribute value for: -x:<map[string]interface {}>",
    );
    expect(qError('{"a":{"-x":null}}.format_xml()').message).toBe("invalid attribute value for: -x:<<nil>>");
    expect(qError('"s".format_xml()').message).toBe('expected object value, got string ("s")');
  });

  it("format_xml - formatXML without the query layer", () => {
    const o = Object.assign(Object.create(null), { a: "1", b: "2" });
    expect(formatXML(o, { indent: "  ", noIndent: false, rootTag: "r" })).toBe(
      "<r>\n  <a>1</a>\n  <b>2</b>\n</r>",
    );
  });
});
