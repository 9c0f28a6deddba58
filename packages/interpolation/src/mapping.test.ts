import { describe, expect, it } from "vitest";
import { defaultEnvironment } from "./environment.js";
import { InterpolationError } from "./errors.js";
import { createMessage } from "./message.js";

const env = defaultEnvironment();
const compile = (text: string) => {
  const r = env.compileMapping(text);
  if (!r.ok) throw r.error;
  return r.value;
};

describe("interpolation mappings", () => {
  it("interpolation - meta <key> = <query> sets metadata from the body", () => {
    const msg = createMessage('{"type":"click","user":{"id":7}}');
    compile('meta type = this.type\nmeta "user id" = this.user.id\n@source = "web"').apply(msg);
    expect(msg.metaStringEntries()).toEqual([
      ["type", "click"],
      ["user id", "7"],
      ["source", "web"],
    ]);
  });

  it("interpolation - meta = replaces all metadata; null deletes a key", () => {
    const msg = createMessage("{}", { metadata: { a: "1", b: "2" } });
    compile("meta = @.merge(this)\nmeta a = null").apply(msg, { c: "3" });
    expect(msg.metaStringEntries()).toEqual([
      ["b", "2"],
      ["c", "3"],
    ]);
  });

  it("interpolation - root paths set body fields and keep the others", () => {
    const msg = createMessage('{"id":1,"a":{"x":1}}');
    compile('root.a.y = "new"\nb = this.id + 1').apply(msg);
    expect(JSON.parse(msg.text)).toEqual({ id: 1, a: { x: 1, y: "new" }, b: 2 });
    compile('root = {"replaced": true}').apply(msg);
    expect(msg.text).toBe('{"replaced":true}');
  });

  it("interpolation - deleted() removes the target; root = deleted() deletes the message", () => {
    const msg = createMessage('{"id":1,"a":{"x":1,"y":2},"keep":true}', { metadata: { m: "1", n: "2" } });
    expect(compile("root.a.x = deleted()\nroot.nope.z = deleted()\nmeta m = deleted()").apply(msg)).toBe(
      false,
    );
    expect(JSON.parse(msg.text)).toEqual({ id: 1, a: { y: 2 }, keep: true });
    expect(msg.metaKeys()).toEqual(["n"]);
    const drop = compile('root = if this.id == 1 { deleted() }\nmeta after = "not run"');
    expect(drop.apply(msg)).toBe(true);
    expect(msg.hasMeta("after")).toBe(false);
    const other = createMessage('{"id":2}');
    expect(drop.apply(other)).toBe(false);
    expect(other.text).toBe('{"id":2}'); // an if without else gives nothing(): unchanged
    expect(other.getMeta("after")).toBe("not run");
  });

  it("interpolation - deleting a nested field whose parent is missing or not an object changes nothing", () => {
    for (const body of ['{"b":1}', '{"b":1,"a":5}', "[1,2]", "not json"]) {
      const msg = createMessage(body);
      expect(compile("root.a.b = deleted()\nroot.x = deleted()").apply(msg)).toBe(false);
      expect(msg.text).toBe(body);
    }
    const msg = createMessage('{"a":{"b":1,"c":2}}');
    compile("root.a.b = deleted()").apply(msg);
    expect(msg.text).toBe('{"a":{"c":2}}');
  });

  it("interpolation - nothing() leaves the target as it is", () => {
    const msg = createMessage('{"a":1}', { metadata: { m: "1" } });
    compile("root.a = nothing()\nmeta m = nothing()\nroot = nothing()").apply(msg);
    expect(msg.text).toBe('{"a":1}');
    expect(msg.getMeta("m")).toBe("1");
  });

  it("interpolation - a line that is not an assignment is a parse error naming the line", () => {
    const r = env.compileMapping('meta a = "x"\nthis.foo');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe("INVALID_MAPPING");
      expect(r.error.line).toBe(2);
      expect(r.error.message).toContain("line 2: expected an assignment");
    }
  });

  it("interpolation - a broken query is reported with its line", () => {
    const r = env.compileMapping("meta a = this.(");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toContain("line 1:");
  });

  it("interpolation - a query on a body that is not JSON says so", () => {
    expect(() => compile("meta type = this.type").apply(createMessage("plain text"))).toThrow(
      /the message body is not JSON/,
    );
  });

  it("interpolation - a failing query throws an InterpolationError", () => {
    expect(() => compile("meta a = this.x.number()").apply(createMessage('{"x":"no"}'))).toThrow(
      InterpolationError,
    );
  });
});
