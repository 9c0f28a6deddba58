import { goV } from "./gosprintf.js";
import { QueryError } from "./query-error.js";
import {
  GoFloat,
  goTypeName,
  isObject,
  JsonNumber,
  newObject,
  Special,
  sortedKeys,
  Timestamp,
  timestampToString,
  utf8Decode,
  type Value,
  type ValueObject,
} from "./value.js";

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", apos: "'", quot: '"' };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);/g, (m, e: string) => {
    if (e[0] === "#")
      return String.fromCodePoint(e[1] === "x" ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1)));
    return ENTITIES[e] ?? m;
  });
}

/** mxj's cast: `strconv.ParseFloat` then `strconv.ParseBool`; NaN and Inf stay strings. */
function cast(s: string): Value {
  const t = s.trim();
  if (
    /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) ||
    /^[+-]?0[xX][0-9a-fA-F]+(\.[0-9a-fA-F]*)?[pP][+-]?\d+$/.test(t)
  )
    return new GoFloat(Number(t));
  if (/^(1|t|T|TRUE|true|True)$/.test(t)) return true;
  if (/^(0|f|F|FALSE|false|False)$/.test(t)) return false;
  return s;
}

interface Node {
  readonly name: string;
  readonly attrs: [string, string][];
  readonly children: Node[];
  text: string;
}

function lineOf(s: string, pos: number): number {
  let n = 1;
  for (let i = 0; i < pos && i < s.length; i++) if (s[i] === "\n") n++;
  return n;
}

/**
 * `mxj.NewMapXml` as the reference's `parse_xml` uses it: attributes as `-name`, text beside
 * attributes or children as `#text`, repeated elements as arrays; with `cast`, numbers and
 * booleans become values. Comments, directives and processing instructions are ignored.
 */
export function parseXML(text: string, doCast: boolean): ValueObject {
  const err = (pos: number, why: string) =>
    new QueryError("FAILED", `parsing value as XML: XML syntax error on line ${lineOf(text, pos)}: ${why}`);
  const stack: Node[] = [];
  let root: Node | undefined;
  let pos = 0;
  while (pos < text.length) {
    const lt = text.indexOf("<", pos);
    const chunk = lt < 0 ? text.slice(pos) : text.slice(pos, lt);
    if (chunk !== "") {
      const top = stack[stack.length - 1];
      if (top) top.text += decodeEntities(chunk);
    }
    if (lt < 0) break;
    pos = lt;
    if (text.startsWith("<!--", pos)) {
      const end = text.indexOf("-->", pos + 4);
      if (end < 0) throw err(text.length, "unexpected EOF");
      pos = end + 3;
    } else if (text.startsWith("<![CDATA[", pos)) {
      const end = text.indexOf("]]>", pos + 9);
      if (end < 0) throw err(text.length, "unexpected EOF in CDATA section");
      const top = stack[stack.length - 1];
      if (top) top.text += text.slice(pos + 9, end);
      pos = end + 3;
    } else if (text.startsWith("<?", pos) || text.startsWith("<!", pos)) {
      const end = text.indexOf(">", pos);
      if (end < 0) throw err(text.length, "unexpected EOF");
      pos = end + 1;
    } else if (text.startsWith("</", pos)) {
      const m = /^<\/([^\s>]+)\s*>/.exec(text.slice(pos));
      if (!m) throw err(pos, "invalid characters between </ and >");
      const top = stack.pop();
      const name = localName(m[1] as string);
      if (!top || top.name !== name) throw err(pos, `element <${top?.name ?? ""}> closed by </${name}>`);
      pos += m[0].length;
    } else {
      const m = /^<([^\s/>]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(text.slice(pos));
      if (!m) throw err(pos, "expected element name after <");
      const attrs: [string, string][] = [];
      for (const a of (m[2] as string).matchAll(/([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
        const name = a[1] as string;
        if (name === "xmlns" || name.startsWith("xmlns:")) continue;
        attrs.push([localName(name), decodeEntities(a[2] ?? a[3] ?? "")]);
      }
      const node: Node = { name: localName(m[1] as string), attrs, children: [], text: "" };
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(node);
      else if (root === undefined) root = node;
      if (m[3] !== "/") stack.push(node);
      pos += m[0].length;
    }
  }
  if (stack.length > 0) throw err(text.length, "unexpected EOF");
  if (root === undefined) throw err(text.length, "unexpected EOF");
  const out = newObject();
  out[root.name] = toValue(root, doCast);
  return out;
}

function localName(n: string): string {
  const i = n.indexOf(":");
  return i < 0 ? n : n.slice(i + 1);
}

function toValue(n: Node, doCast: boolean): Value {
  const text = n.text.trim() === "" ? "" : n.text;
  if (n.attrs.length === 0 && n.children.length === 0) return doCast && text !== "" ? cast(text) : text;
  const o = newObject();
  for (const [k, v] of n.attrs) o[`-${k}`] = doCast ? cast(v) : v;
  for (const c of n.children) {
    const v = toValue(c, doCast);
    const prev = o[c.name];
    if (prev === undefined) o[c.name] = v;
    else if (Array.isArray(prev))
      prev.push(v); // an element's own value is never an array
    else o[c.name] = [prev, v];
  }
  if (text !== "") o["#text"] = doCast ? cast(text) : text;
  return o;
}

// ---------------------------------------------------------------------------------------------
// format_xml: mxj v2.7.0's `Map.Xml` / `Map.XmlIndent` (marshalMapToXmlIndent) with the package
// defaults Redpanda Connect keeps: `-` attributes, `#text`, `<tag/>` for empty elements, and no
// escaping of `<`, `&` or quotes in text and attribute values.

interface Pretty {
  readonly indent: string;
  cnt: number;
  padding: string;
}

function indentIn(p: Pretty): void {
  p.padding += p.indent;
  p.cnt++;
}

function indentOut(p: Pretty): void {
  if (p.cnt > 0) {
    p.padding = p.padding.slice(0, p.padding.length - p.indent.length);
    p.cnt--;
  }
}

const isAttr = (k: string) => k.length > 1 && k.startsWith("-");

/** A scalar's text (`%v`), or `undefined` for a value mxj does not print as one. */
function scalarText(v: Value): string | undefined {
  switch (typeof v) {
    case "string":
      return v;
    case "bigint":
    case "number":
    case "boolean":
      return goV(v);
    case "object":
      if (v instanceof Uint8Array) return utf8Decode(v);
      if (v instanceof GoFloat || v instanceof JsonNumber) return goV(v);
  }
  return undefined;
}

/** mxj's first pass: nil becomes "", a struct goes through encoding/xml (`<Time>RFC 3339</Time>`). */
function coerce(v: Value): Value {
  if (v instanceof Timestamp) return `<Time>${timestampToString(v)}</Time>`;
  if (v === null || (v instanceof Special && scalarText(v) === undefined)) return "";
  return v;
}

function marshalXML(doIndent: boolean, out: string[], key: string, value: Value, pp: Pretty): void {
  const p: Pretty = { ...pp };
  const v = coerce(value);
  const list = Array.isArray(v);
  if (doIndent && !list) out.push(p.padding);
  if (!list) out.push(`<${key}`);
  let endTag = false;
  let simple = false;
  let elen = 0;
  if (isObject(v)) {
    const o = v;
    const keys = Object.keys(o);
    const attrs: [string, string][] = [];
    for (const k of sortedKeys(o)) {
      if (!isAttr(k)) continue;
      const a = o[k] as Value;
      const text = scalarText(a);
      if (text === undefined)
        throw new QueryError("FAILED", `invalid attribute value for: ${k}:<${goTypeName(a)}>`);
      attrs.push([k.slice(1), text]);
    }
    for (const [name, text] of attrs) out.push(` ${name}="${text}"`);
    if (attrs.length === keys.length) {
      out.push("/>");
    } else if (Object.hasOwn(o, "#text") && attrs.length + 1 === keys.length) {
      out.push(`>${textOf(o["#text"] as Value)}`);
      endTag = true;
      elen = 1;
      simple = true;
    } else {
      out.push(Object.hasOwn(o, "#text") ? `>${textOf(o["#text"] as Value)}` : ">");
      if (doIndent) out.push("\n");
      for (const k of sortedKeys(o)) {
        if (k === "#text" || isAttr(k)) continue;
        const child = o[k] as Value;
        const childList = Array.isArray(child);
        if (!childList && doIndent) indentIn(p);
        marshalXML(doIndent, out, k, child, p);
        if (!childList && doIndent) indentOut(p);
      }
      endTag = true;
      elen = 1;
    }
  } else if (Array.isArray(v)) {
    if (v.length > 0) {
      for (const item of v) {
        if (doIndent) indentIn(p);
        marshalXML(doIndent, out, key, item, p);
        if (doIndent) indentOut(p);
      }
      return;
    }
    // An empty list is one empty element, with mxj's padding quirks.
    if (doIndent) out.push(p.padding + p.indent);
    out.push(`<${key}`);
    endTag = true;
  } else {
    const text = scalarText(v) ?? "";
    elen = text.length;
    if (elen > 0) out.push(`>${text}`);
    simple = true;
    endTag = true;
  }
  if (endTag) {
    if (doIndent && !simple) out.push(p.padding);
    out.push(elen > 0 ? `</${key}>` : "/>");
  }
  if (doIndent) {
    if (p.cnt > 0) out.push("\n");
    indentOut(p);
  }
}

/** `#text` is printed with `%v`: strings and bytes as they are, anything else as Go prints it. */
function textOf(v: Value): string {
  return scalarText(v) ?? goV(v);
}

/** Options of {@link formatXML}, as `format_xml`'s parameters. */
export interface FormatXMLOptions {
  readonly indent: string;
  readonly noIndent: boolean;
  readonly rootTag: string | undefined;
}

/**
 * `format_xml`: an object as XML. With one key, that key is the root element (unless its value
 * is a list); otherwise the root is `root_tag`, or `doc`. Without indentation `root_tag` is
 * ignored, as in the reference.
 */
export function formatXML(obj: ValueObject, opts: FormatXMLOptions): string {
  const out: string[] = [];
  const keys = Object.keys(obj);
  const doIndent = !opts.noIndent;
  const p: Pretty = { indent: doIndent ? opts.indent : "", cnt: 0, padding: "" };
  const only = keys.length === 1 ? (keys[0] as string) : undefined;
  const rootTag = doIndent ? opts.rootTag : undefined;
  if (only !== undefined && rootTag === undefined) {
    const value = obj[only] as Value;
    // `Xml` wraps a list in `doc` only when an item is not an object; `XmlIndent` always does.
    const wrap = Array.isArray(value) && (doIndent || value.some((x) => !isObject(x)));
    if (wrap) marshalXML(doIndent, out, "doc", obj, p);
    else marshalXML(doIndent, out, only, value, p);
  } else marshalXML(doIndent, out, rootTag ?? "doc", obj, p);
  return out.join("");
}
