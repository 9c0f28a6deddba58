// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${! … }` and `${VAR}` in plain strings are the syntax under test
import { describe, expect, it } from "vitest";
import { msg, parseError, q, qError, run, testEnv } from "../test/helpers.js";
import { InterpolationParseError } from "./errors.js";

const body = msg(
  '{"a":{"b":"x","n":5,"arr":[{"b":1},{"b":3},{"c":2}]},"s":"str","t":true,"f":false,"k.dot":"dotted","til~de":"t"}',
);

describe("interpolation - field grammar", () => {
  it.each([
    ["plain text", "plain text"],
    ["", ""],
    ["hello $ world", "hello $ world"],
    ["$$$", "$$$"],
    ["${ content() }", "${ content() }"],
    ["$!{foo}", "$!{foo}"],
    ["${{a}}", "${{a}}"],
    ["${{!foo} bar}}", "${!foo} bar}"],
    ['${{! {"a":1} }}', '${! {"a":1} }'],
    ["a ${{!x}} b ${{!y}}", "a ${!x} b ${!y}"],
    ["trailing $", "trailing $"],
    ["}} stray {{", "}} stray {{"],
    ["unicode ✓ text", "unicode ✓ text"],
  ])("interpolation - %j is literal text %j", (input, expected) => {
    const c = testEnv.compile(input);
    expect(c.isStatic).toBe(true);
    expect(c.dynamicCount).toBe(0);
    expect(c.evaluate(msg())).toBe(expected);
  });

  it.each([
    ['a ${! "}" } b', "a } b"],
    ["${! 1 }}", "1}"],
    ["$${! 1 }", "$1"],
    ["${!1}", "1"],
    ["${!\t1\t}", "1"],
    ['${! "a" }${! "b" }', "ab"],
    ["x${! [1,\n2] }y", "x[1,2]y"],
    ['${! {"a": "}"} }', '{"a":"}"}'],
    ['${! if true { "}" } }', "}"],
    ['${! match "a" { "a" => "}", _ => "z" } }', "}"],
  ])("interpolation - query %j gives %j", (input, expected) => {
    expect(run(input)).toBe(expected);
  });

  it("interpolation - a literal-only interpolation is static but still counted", () => {
    const c = testEnv.compile('a ${! "b" } ${! 1 + 2 } c');
    expect(c.isStatic).toBe(true);
    expect(c.dynamicCount).toBe(2);
    expect(c.evaluate(msg())).toBe("a b 3 c");
  });

  it("interpolation - a message-dependent interpolation is not static", () => {
    const c = testEnv.compile('topic.${! meta("t") }');
    expect(c.isStatic).toBe(false);
    expect(c.dynamicCount).toBe(1);
    expect(c.source).toBe('topic.${! meta("t") }');
  });
});

describe("interpolation - parse errors", () => {
  it.each([
    [
      "static string ${!not a function} hello world",
      "char 22: required: expected end of expression",
      "EXPECTED_END_OF_EXPRESSION",
    ],
    [
      "static string ${!not_a_function()} hello world",
      "char 34: unrecognised function 'not_a_function'",
      "UNKNOWN_FUNCTION",
    ],
    [
      'foo ${!json("foo") whats this?} bar',
      "char 20: required: expected end of expression",
      "EXPECTED_END_OF_EXPRESSION",
    ],
    ['foo ${!json("foo} bar', "char 22: required: expected end quote", "UNTERMINATED_STRING"],
    ["foo ${!json(} bar", "char 13: required: expected function argument", "SYNTAX"],
    ["foo ${!json(0,} bar", "char 15: required: expected function argument", "SYNTAX"],
    ["${!}", "char 4: required: expected query", "EXPECTED_QUERY"],
    ["foo ${! content()", "char 18: required: expected end of expression", "EXPECTED_END_OF_EXPRESSION"],
    ["${! content()\n}", "char 14: required: expected end of expression", "EXPECTED_END_OF_EXPRESSION"],
    [
      "${! content() # comment\n}",
      "char 15: required: expected end of expression",
      "EXPECTED_END_OF_EXPRESSION",
    ],
    ["${!\n content() }", "char 4: required: expected query", "EXPECTED_QUERY"],
    [
      '${! "a" + 1 }',
      "char 5: cannot add types string (from string literal) and number (from number literal)",
      "INVALID_EXPRESSION",
    ],
    ["${! 1 / 0 }", "char 5: number literal: attempted to divide by zero", "INVALID_EXPRESSION"],
    ["${! 5 % 0 }", "char 5: number literal: attempted to divide by zero", "INVALID_EXPRESSION"],
    ["${! 'a' }", "char 5: required: expected query", "EXPECTED_QUERY"],
    [
      "a string that ends ${{!with unfinished escapes",
      "char 24: required: expected end of escaped expression",
      "UNTERMINATED_ESCAPE",
    ],
    ["${! 1.5e3 }", "char 8: required: expected end of expression", "EXPECTED_END_OF_EXPRESSION"],
    [
      "${! 99999999999999999999 }",
      "char 5: failed to parse '99999999999999999999' as integer: strconv.ParseInt: parsing \"99999999999999999999\": value out of range",
      "INVALID_LITERAL",
    ],
    [
      "${! true > false }",
      "char 5: cannot compare types bool (from bool literal) and bool (from bool literal)",
      "INVALID_EXPRESSION",
    ],
    ["${! JSON() }", "char 9: required: expected end of expression", "EXPECTED_END_OF_EXPRESSION"],
    ['${! json("a", path: "b") }', "char 25: cannot mix named and nameless arguments", "INVALID_ARGUMENTS"],
    ['${! json(path: "a", path: "b") }', "char 31: duplicate named arg: path", "INVALID_ARGUMENTS"],
    ["${! throw() }", "char 12: missing parameter: why", "INVALID_ARGUMENTS"],
    [
      "${! json(5) }",
      "char 12: field path: wrong argument type, expected string, got number",
      "INVALID_ARGUMENTS",
    ],
    ['${! json("a", "b") }', "char 19: wrong number of arguments, expected 1, got 2", "INVALID_ARGUMENTS"],
    ["${! json(nope: 1) }", "char 18: unknown parameter nope", "INVALID_ARGUMENTS"],
    ['${! "a".not_a_method() }', "char 23: unrecognised method 'not_a_method'", "UNKNOWN_METHOD"],
    ["${! this. }", "char 11: required: expected method or field path", "SYNTAX"],
    ['${! "abc }', "char 11: required: expected end quote", "UNTERMINATED_STRING"],
    ['${! """abc }', "char 13: required: expected end triple-quote", "UNTERMINATED_STRING"],
    ["${! (1 + 2 }", "char 12: required: expected closing bracket", "SYNTAX"],
    ['${! json("a" "b") }', "char 14: required: expected comma or closing bracket", "SYNTAX"],
    ["${! if true 1 }", "char 13: required: expected {", "SYNTAX"],
    ["${! if true { 1 } else 2 }", "char 24: required: expected {", "SYNTAX"],
    ["${! {5: 1} }", "char 5: object keys must be strings, received: int64", "INVALID_LITERAL"],
    ["${! this -> this }", "char 5: context label `this` is not allowed", "INVALID_EXPRESSION"],
    [
      "${! [1].map_each(x -> [2].map_each(x -> x)) }",
      "char 36: context label `x` would shadow a parent context",
      "INVALID_EXPRESSION",
    ],
    ['${! "\\q" }', "char 5: failed to unescape quoted string contents: invalid syntax", "INVALID_LITERAL"],
    ["${! random_int(min: this.a) }", "char 28: param min must not be dynamic", "INVALID_ARGUMENTS"],
    [
      '${! nanoid(alphabet: "abc") }',
      "char 28: field length must be specified when an alphabet is specified",
      "INVALID_ARGUMENTS",
    ],
    [
      "${! range(5, 1) }",
      "char 16: with positive step arg start (5) must be < stop (1)",
      "INVALID_ARGUMENTS",
    ],
    ["${! 1 + }", "char 9: required: expected query", "EXPECTED_QUERY"],
    ["${! true_thing }", "char 9: required: expected end of expression", "EXPECTED_END_OF_EXPRESSION"],
  ])("interpolation - %j fails with %j", (input, message, code) => {
    const e = parseError(input);
    expect(e.message).toBe(message);
    expect(e.code).toBe(code);
    expect(InterpolationParseError.isInstance(e)).toBe(true);
    expect(e.name).toBe("InterpolationParseError");
  });

  it("interpolation - the plain message names what was found or the end of input", () => {
    expect(parseError("static string ${!not a function} hello world").detail).toBe(
      "required: expected end of expression, got: a fun",
    );
    expect(parseError("foo ${! content()").detail).toBe(
      "required: expected end of expression, but reached end of input",
    );
    expect(parseError("foo ${! content()").got).toBeUndefined();
    expect(parseError("${! json(5) }").detail).toBe(
      "field path: wrong argument type, expected string, got number:  }",
    );
    expect(parseError("${! nope() }").detail).toBe("unrecognised function 'nope':  }");
  });

  it("interpolation - line and column locate errors on later lines", () => {
    const e = parseError('first line\nsecond ${! json("a" x) }');
    expect(e.line).toBe(2);
    expect(e.column).toBe(21);
    expect(e.char).toBe(32);
    expect(e.reason).toBe("required: expected comma or closing bracket");
  });

  it("interpolation - positions count code points, not UTF-16 units", () => {
    const e = parseError("😀😀 ${! a b }");
    expect(e.char).toBe(10);
    expect(e.column).toBe(10);
  });

  it("interpolation - render draws the line and a caret under the column", () => {
    const e = parseError("static string ${!not a function} hello world");
    expect(e.render()).toBe(
      [
        "line 1 char 22: required: expected end of expression",
        "  |",
        "1 | static string ${!not a function} hello world",
        "  |                      ^---",
      ].join("\n"),
    );
  });

  it("interpolation - compile throws the typed parse error", () => {
    expect(() => testEnv.compile("${!")).toThrow(InterpolationParseError);
    try {
      testEnv.compile("${!");
    } catch (e) {
      expect(InterpolationParseError.isInstance(e)).toBe(true);
      expect((e as InterpolationParseError).source).toBe("${!");
    }
  });

  it("interpolation - deep nesting is a parse error, not a crash", () => {
    const e = parseError(`\${! ${"(".repeat(400)}1${")".repeat(400)} }`);
    expect(e.code).toBe("NESTING_TOO_DEEP");
  });
});

describe("interpolation - query literals", () => {
  it.each([
    ["1", "1"],
    ["-1", "-1"],
    ["0", "0"],
    ["1.5", "1.5"],
    ["-1.5", "-1.5"],
    ["2.0", "2"],
    ["1000000.0", "1e+06"],
    ["123456.0", "123456"],
    ["0.00001", "1e-05"],
    ["0.0001", "0.0001"],
    ["9223372036854775807", "9223372036854775807"],
    ["true", "true"],
    ["false", "false"],
    ["null", "null"],
    ['"a\\tb"', "a\tb"],
    ['"q\\"q"', 'q"q'],
    ['"\\u00e9"', "é"],
    ['"\\U0001F600"', "😀"],
    ['"\\x41\\101"', "AA"],
    ['"\\xc3\\xa9"', "é"],
    ['"back\\\\slash"', "back\\slash"],
    ['"""raw \\n "quoted" text"""', 'raw \\n "quoted" text'],
    ['"""multi\nline"""', "multi\nline"],
    ['""', ""],
    ["[]", "[]"],
    ['[1, 2.5, "a", true, null]', '[1,2.5,"a",true,null]'],
    ["[1,\n  2, # two\n  3,\n]", "[1,2,3]"],
    ["[1, deleted(), nothing(), 2]", "[1,2]"],
    ["{}", "{}"],
    ['{"b": 1, "a": [2]}', '{"a":[2],"b":1}'],
    ['{"a": deleted(), "b": 1}', '{"b":1}'],
    ['{("k" + "2"): 3}', '{"k2":3}'],
    ['{"<": ">&"}', '{"\\u003c":"\\u003e\\u0026"}'],
  ])("interpolation - literal %s prints %j", (query, expected) => {
    expect(q(query)).toBe(expected);
  });

  it("interpolation - dynamic arrays and objects evaluate per message", () => {
    expect(q('[this.a.b, "y", this.s]', body)).toBe('["x","y","str"]');
    expect(q("{this.s: this.a.n}", body)).toBe('{"str":5}');
    expect(q('{"x": this.nope, "y": deleted()}', body)).toBe('{"x":null}');
    expect(qError("{this.a.n: 1}", body).message).toBe("mapping returned invalid key type: json.Number");
    expect(qError('{"v": throw("no")}', body).message).toBe("failed to resolve 'v' value: no");
  });
});

describe("interpolation - paths and references", () => {
  it.each([
    ["this.s", "str"],
    ["s", "str"],
    ["this.a.b", "x"],
    ["a.b", "x"],
    ["this.a.arr.1.b", "3"],
    ['this.a.arr."*".b', "[1,3]"],
    ['this."k.dot"', "dotted"],
    ['this."til~de"', "t"],
    ["this.nope", "null"],
    ["this.s.deeper", "null"],
    ["this.a.arr.x", "null"],
    ["this.a.arr.9", "null"],
    ['this.a.get("arr.0.b")', "1"],
    ["this.a.(b + n.string())", "x5"],
    ["this.a.(n * 2)", "10"],
    ["this.t", "true"],
    ["!this.f", "true"],
    ['!this.a.b.contains("x")', "false"],
    ["! this.t", "false"],
  ])("interpolation - %s gives %j", (query, expected) => {
    expect(q(query, body)).toBe(expected);
  });

  it.each([
    ["this.a", "context was undefined, unable to reference `a`", "NO_CONTEXT"],
    ["a.b", "context was undefined, unable to reference `a.b`", "NO_CONTEXT"],
    ["this", "context was undefined", "NO_CONTEXT"],
    ["root", "unable to reference `root` from this context", "NO_CONTEXT"],
    ["$foo", "variables were undefined", "UNDEFINED_VARIABLE"],
  ])("interpolation - %s on a non-JSON body fails with %j", (query, message, code) => {
    const e = qError(query, msg("not json"));
    expect(e.message).toBe(message);
    expect(e.code).toBe(code);
  });

  it("interpolation - a negated non-bool fails with the field named", () => {
    expect(qError("!this.s", body).message).toBe(
      'expected bool value, got string from field `this.s` ("str")',
    );
  });

  it("interpolation - @ reads typed metadata and @ alone gives all of it", () => {
    const m = msg("", { metadata: { a: "x", n: 5, e: "", "with space": "w" } });
    expect(q("@a", m)).toBe("x");
    expect(q("@n + 1", m)).toBe("6");
    expect(q("@e", m)).toBe("");
    expect(q("@nope", m)).toBe("null");
    expect(q('@"with space"', m)).toBe("w");
    expect(q("@", m)).toBe('{"a":"x","e":"","n":5,"with space":"w"}');
  });

  it("interpolation - @kafka-key parses as a subtraction", () => {
    const e = qError("@kafka-key", msg("{}", { metadata: { kafka: "k" } }));
    expect(e.message).toBe(
      "cannot subtract types string (from meta field kafka) and null (from field `this.key`)",
    );
  });
});

describe("interpolation - operators", () => {
  const nums = msg('{"i":7,"f":2.5,"s":"str","z":0,"big":9223372036854775807}');
  it.each([
    ["1 + 2 * 3", "7"],
    ["(1 + 2) * 3", "9"],
    ["7 / 2", "3.5"],
    ["6 / 3", "2"],
    ["7 % 3", "1"],
    ["-7 % 3", "-1"],
    ["7.5 % 2", "1"],
    ["10 - 2 - 3", "5"],
    ["2 - -3", "5"],
    ["-(2 + 3)", "-5"],
    ["1 + 2.5", "3.5"],
    ["this.i + 1", "8"],
    ["this.i * this.f", "17.5"],
    ["this.big + 1", "-9223372036854775808"],
    ["9223372036854775807 + 1", "-9223372036854775808"],
    ['"a" + "b"', "ab"],
    ['this.s + "!"', "str!"],
    ["1 == 1.0", "true"],
    ["1 != 2", "true"],
    ['"a" == "a"', "true"],
    ['"a" == 1', "false"],
    ['"a" != 1', "true"],
    ["2 > 1", "true"],
    ["2 >= 2", "true"],
    ['"b" > "a"', "true"],
    ["1 < 0.5", "false"],
    ["[1, 2] == [1, 2.0]", "true"],
    ['{"a": 1} == {"a": 1}', "true"],
    ["null == null", "true"],
    ["true == 1", "true"],
    ["true || false && false", "false"],
    ['false && throw("no")', "false"],
    ['true || throw("no")', "true"],
    ["1 && 1", "true"],
    ["this.nope | 1 + 2", "3"],
    ["2 * this.nope | 3", "3"],
    ["2 * (this.nope | 3)", "6"],
    ['this.nope | this.nope2 | "c"', "c"],
    ['throw("x") | "recovered"', "recovered"],
    ["deleted() | 4", "4"],
    ["this.i | 4", "7"],
    ["this.i > 5 && this.i < 10", "true"],
  ])("interpolation - %s gives %j", (query, expected) => {
    expect(q(query, nums)).toBe(expected);
  });

  it.each([
    ["this.s + 1", "cannot add types string (from field `this.s`) and number (from number literal)"],
    ["this.nope + 1", "cannot add types null (from field `this.nope`) and number (from number literal)"],
    ["this.s > 1", "cannot compare types string (from field `this.s`) and number (from number literal)"],
    ["this.i / this.z", "field `this.z`: attempted to divide by zero"],
    ["this.s && true", 'expected bool value, got string ("str")'],
    ["this.s - 1", "cannot subtract types string (from field `this.s`) and number (from number literal)"],
  ])("interpolation - %s fails with %j", (query, message) => {
    expect(qError(query, nums).message).toBe(message);
  });
});

describe("interpolation - if, match and lambdas", () => {
  const m = msg('{"n":5,"s":"b","list":[1,2,3]}');
  it.each([
    ['if this.n > 3 { "big" } else { "small" }', "big"],
    ['if this.n > 10 { "big" } else if this.n > 4 { "mid" } else { "small" }', "mid"],
    ['if this.n > 10 { "big" }', "null"],
    ['if this.nope { "yes" } else { "no" }', "no"],
    ['if this.n > 10 {\n  "big"\n}\nelse {\n  "small"\n}', "small"],
    ['match this.s { "a" => 1, "b" => 2, _ => 3 }', "2"],
    ['match this.s {\n  "a" => 1\n  "b" => 2\n}', "2"],
    ['match this.s { "z" => 1 }', "null"],
    ['match { this.n > 3 => "gt", _ => "le" }', "gt"],
    ['match this.n { this > 4 => "yes", _ => "no" }', "yes"],
    ['match this.n { this == "x" => "str", _ => "other" }', "other"],
    ["this.list.map_each(x -> x * 10)", "[10,20,30]"],
    ["this.list.map_each(_ -> 0)", "[0,0,0]"],
    ["this.list.map_each(this * 2)", "[2,4,6]"],
    ["this.list.map_each(x -> x + this.n)", "[6,7,8]"],
  ])("interpolation - %j gives %j", (query, expected) => {
    expect(q(query, m)).toBe(expected);
  });

  it("interpolation - a non-boolean if condition is an error naming the field", () => {
    expect(qError('if this.s { "x" }', m).message).toBe(
      "field `this.s` resolved to a non-boolean value b (string)",
    );
    expect(qError('if throw("bad") { 1 }', m).message).toBe("failed to check if condition: bad");
  });

  it("interpolation - a quoted object key cannot be followed by an operator", () => {
    expect(parseError('${! {"k" + "2": 3} }').code).toBe("EXPECTED_QUERY");
  });

  it("interpolation - lambdas need spaces around the arrow and cannot capture twice", () => {
    expect(parseError("${! [1].map_each(x -> y -> y) }").message).toBe(
      "char 18: it would be in poor taste to capture the same context under both 'x' and 'y'",
    );
    expect(parseError("${! [1].map_each(x->x) }").code).toBe("SYNTAX");
  });
});

describe("interpolation - function arguments", () => {
  it.each([
    ['json(path: "a")', "1"],
    ['json(\n  "a",\n)', "1"],
    ['json( "a" )', "1"],
    ['json(\n  # a comment\n  "a"\n)', "1"],
    ['json(meta("p"))', "1"],
  ])("interpolation - %j is accepted", (query, expected) => {
    expect(q(query, msg('{"a":1}', { metadata: { p: "a" } }))).toBe(expected);
  });

  it("interpolation - a dynamic argument of the wrong type fails at evaluation", () => {
    const e = qError("json(this.n)", msg('{"n":5}'));
    expect(e.message).toBe(
      "function 'json': failed to extract input arg 'path': wrong argument type, expected string, got number",
    );
  });
});
