import { QueryError } from "./query-error.js";
import { GoFloat, newObject, type Value, type ValueObject } from "./value.js";

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
