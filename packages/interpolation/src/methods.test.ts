// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${! … }` and `${VAR}` in plain strings are the syntax under test
import { describe, expect, it } from "vitest";
import { msg, parseError, q, qError, testEnv } from "../test/helpers.js";

const doc = msg(
  JSON.stringify({
    s: "Hello World",
    pad: "  padded\t\n",
    n: 5,
    f: 2.5,
    neg: -3.7,
    arr: [3, 1, 2],
    strs: ["b", "a", "c"],
    nested: [[1, 2], [3], 4],
    obj: { b: 2, a: 1, c: { d: 4 } },
    empty: "",
    ts: "2020-03-04T05:06:07.123456789Z",
  }),
);

describe("interpolation - string methods", () => {
  it.each([
    ['"héllo wörld".uppercase()', "HÉLLO WÖRLD"],
    ['"straße".uppercase()', "STRAßE"],
    ['"HÉLLO".lowercase()', "héllo"],
    ['"ΟΔΟΣ".lowercase()', "οδοσ"],
    ['"hELLO wORLD".capitalize()', "Hello World"],
    ['"the quick-brown fox".capitalize()', "The Quick-Brown Fox"],
    ["this.pad.trim()", "padded"],
    ['"xxhixx".trim("x")', "hi"],
    ['"abcba".trim("ab")', "c"],
    ['"prefix_body".trim_prefix("prefix_")', "body"],
    ['"body".trim_prefix("nope")', "body"],
    ['"body_suffix".trim_suffix("_suffix")', "body"],
    ['"a-b-c".replace_all("-", "+")', "a+b+c"],
    ['"a-b-c".replace("-", "")', "abc"],
    ['"abc".replace_all("", "-")', "-a-b-c-"],
    ['"a cat sat".replace_all_many(["cat", "dog", "sat", "stood"])', "a dog stood"],
    ['"ab".replace_all_many(["a", "b", "b", "a"])', "ba"],
    ['"a1b22c".re_replace_all("[0-9]+", "#")', "a#b#c#".slice(0, 5)],
    ['"john smith".re_replace_all("(\\\\w+) (\\\\w+)", "$2 $1")', "smith john"],
    ['"ab".re_replace_all("(?P<x>a)", "[${x}]")', "[a]b"],
    ['"ab".re_replace_all("a", "$$")', "$b"],
    ['"ABC".re_replace_all("(?i)b", "_")', "A_C"],
    ['"foo123".re_match("^foo\\\\d+$")', "true"],
    ['"bar".re_match("^foo")', "false"],
    ['"a1b2".re_find_all("[0-9]")', '["1","2"]'],
    ['"k=v;x=y".re_find_all_submatch("(\\\\w)=(\\\\w)")', '[["k=v","k","v"],["x=y","x","y"]]'],
    ['"foobar".has_prefix("foo")', "true"],
    ['"foobar".has_suffix("foo")', "false"],
    ['"foobar".contains("oba")', "true"],
    ['"foobar".contains("z")', "false"],
    ['"a5b".contains(5)', "true"],
    ['"héllo".index_of("l")', "3"],
    ['"abc".index_of("z")', "-1"],
    ['"héllo".length()', "6"],
    ['"".length()', "0"],
    ['"a,b,,c".split(",")', '["a","b","","c"]'],
    ['"a,b,,c".split(",", true)', '["a","b",null,"c"]'],
    ['"abc".split("")', '["a","b","c"]'],
    ['"".split(",")', '[""]'],
    ['["a", "b"].join("-")', "a-b"],
    ['["a", "b"].join()', "ab"],
    ['[].join(",")', ""],
    ['"hello world".slice(0, 5)', "hello"],
    ['"hello world".slice(6)', "world"],
    ['"hello world".slice(-5)', "world"],
    ['"hello".slice(1, -1)', "ell"],
    ['"hello".slice(2, 100)', "llo"],
    ['"%s is %d years".format("bob", 42)', "bob is 42 years"],
    ['"%v|%v|%v".format(null, [1, "a"], {"k": true})', "<nil>|[1 a]|map[k:true]"],
    ['"%05.2f|%x|%q".format(3.14159, 255, "q")', '03.14|ff|"q"'],
    ['"%d".format("str")', "%!d(string=str)"],
    ['"[%v|%s|%q|%5s]".format("", "", "", "")', '[||""|     ]'],
    ['"[%v|%s]".format("".bytes(), "".bytes())', "[[]|]"],
    ['"%d".format("")', "%!d(string=)"],
    ['"%s %s".format("one")', "one %!s(MISSING)"],
    ['"%s".format("a", "b")', "a%!(EXTRA string=b)"],
    ['"%5s|%-5s|".format("ab", "cd")', "   ab|cd   |"],
    ['"%t %v".format(true, 1.5)', "true 1.5"],
    ['"100%%".format()', "100%"],
    ['"he said \\"hi\\"\\n".quote()', '"he said \\"hi\\"\\n"'],
    ['"\\"a\\\\tb\\"".unquote()', "a\tb"],
    ['"<a href=\\"x\\">&</a>".escape_html()', "&lt;a href=&#34;x&#34;&gt;&amp;&lt;/a&gt;"],
    ['"&lt;b&gt; &amp; &#39; &#x41; &quot;".unescape_html()', "<b> & ' A \""],
    ['"a b&c=d/é".escape_url_query()', "a+b%26c%3Dd%2F%C3%A9"],
    ['"a+b%26c%3Dd%2F%C3%A9".unescape_url_query()', "a b&c=d/é"],
    ['"a b/c".escape_url_path()', "a%20b/c"],
  ])("interpolation - %s gives %j", (query, expected) => {
    expect(q(query, doc)).toBe(expected);
  });

  it("interpolation - string methods return bytes for bytes", () => {
    expect(q('"abc".bytes().uppercase().type()')).toBe("bytes");
    expect(q('"abc".bytes().uppercase()')).toBe("ABC");
    expect(q('" x ".bytes().trim().type()')).toBe("bytes");
    expect(q('"a-b".bytes().replace_all("-", "+").type()')).toBe("bytes");
    expect(q('"abc".uppercase().type()')).toBe("string");
    expect(q('"a,b".bytes().split(",").index(0).type()')).toBe("bytes");
  });

  it.each([
    ["this.n.uppercase()", "expected string value, got number from field `this.n` (5)"],
    ["this.arr.trim()", "expected string value, got array from field `this.arr`"],
    ['this.n.has_prefix("a")', "expected string value, got number from field `this.n` (5)"],
    ['"%v".format().unquote()', "method format: invalid syntax"],
    ['"x".re_match("(")', ""],
    ['"a%zz".unescape_url_query()', 'string literal: invalid URL escape "%zz"'],
    ["this.strs.slice(2, 1)", ""],
  ])("interpolation - %s fails with %j", (query, message) => {
    if (query.includes("re_match")) {
      expect(parseError(`\${! ${query} }`).code).toBe("INVALID_ARGUMENTS");
      return;
    }
    if (query.includes("slice(2, 1)")) {
      expect(parseError(`\${! ${query} }`).reason).toBe("lower slice bound 2 must be lower than upper (1)");
      return;
    }
    const e = qError(query, doc);
    expect(e.message).toBe(message);
  });
});

describe("interpolation - conversion methods", () => {
  it.each([
    ['"0x1p-2".number()', "0.25"],
    ['"-0x1.8p1".number()', "-3"],
    ['"INF".number()', "+Inf"],
    ['"-Infinity".number()', "-Inf"],
    ['"NaN".number()', "NaN"],
    ["5.string()", "5"],
    ["5.string().type()", "string"],
    ['{"a": [1, "<"]}.string()', '{"a":[1,"\\u003c"]}'],
    ['"x".bytes().type()', "bytes"],
    ['"5".number()', "5"],
    ['"5.5".number() + 1', "6.5"],
    ['"5".number().type()', "number"],
    ['"nope".number(3)', "3"],
    ['"1e3".number()', "1000"],
    ["this.n.number()", "5"],
    ['"true".bool()', "true"],
    ['"F".bool()', "false"],
    ['"1".bool()', "true"],
    ["0.bool()", "false"],
    ['"maybe".bool(true)', "true"],
    ['"42".int64()', "42"],
    ['"0x10".int64()', "16"],
    ['"-7".int64()', "-7"],
    ["5.0.int64()", "5"],
    ['"2147483647".int32()', "2147483647"],
    ['"7".uint64()', "7"],
    ['"1.5".float64()', "1.5"],
    ['"x".type()', "string"],
    ['"x".bytes().type()', "bytes"],
    ["1.type()", "number"],
    ["true.type()", "bool"],
    ["null.type()", "null"],
    ["[].type()", "array"],
    ["{}.type()", "object"],
    ['this.ts.ts_parse("2006-01-02T15:04:05Z07:00").type()', "timestamp"],
    ['"a".array()', '["a"]'],
    ["[1].array()", "[1]"],
    ["this.ts.timestamp().ts_unix()", "1583298367"],
    ['"nope".timestamp(0.timestamp()).ts_unix()', "0"],
  ])("interpolation - %s gives %j", (query, expected) => {
    expect(q(query, doc)).toBe(expected);
  });

  it.each([
    ['"0x10".number()', 'string literal: strconv.ParseFloat: parsing "0x10": invalid syntax'],
    ['"1e400".number()', 'string literal: strconv.ParseFloat: parsing "1e400": value out of range'],
    ['"+nan".number()', 'string literal: strconv.ParseFloat: parsing "+nan": invalid syntax'],
    ['"0x.p1".number()', 'string literal: strconv.ParseFloat: parsing "0x.p1": invalid syntax'],
    ['"abc".int64()', 'string literal: strconv.ParseInt: parsing "abc": invalid syntax'],
    [
      "1.5.int64()",
      "number literal: float value contains decimals and therefore cannot be cast as a signed integer, if you intend to round the value then call `.round()` explicitly before this cast",
    ],
    ['"maybe".bool()', 'expected bool value, got string from string literal ("maybe")'],
    [
      '"-1".uint64()',
      "string literal: signed integer value is negative and cannot be cast as an unsigned integer",
    ],
    ['"3000000000".int32()', "string literal: value is too large to be cast as a 32-bit signed integer"],
    ["null.number()", "expected number value, got null from null literal"],
  ])("interpolation - %s fails with %j", (query, message) => {
    expect(qError(query, doc).message).toBe(message);
  });
});

describe("interpolation - number methods", () => {
  it.each([
    ["this.neg.abs()", "3.7"],
    ["-5.abs()", "-5"],
    ["(-5).abs()", "5"],
    ["this.f.ceil()", "3"],
    ["this.f.floor()", "2"],
    ["this.f.round()", "3"],
    ["this.neg.round()", "-4"],
    ["this.n.round()", "5"],
    ["this.arr.sum()", "6"],
    ["[1, 2.5].sum()", "3.5"],
    ["this.arr.max()", "3"],
    ["this.arr.min()", "1"],
  ])("interpolation - %s gives %j", (query, expected) => {
    expect(q(query, doc)).toBe(expected);
  });

  it("interpolation - number methods reject other types", () => {
    expect(qError('"x".abs()').message).toBe('expected number value, got string from string literal ("x")');
    expect(qError('["a"].sum()').message).toBe('expected number value, got string from array literal ("a")');
  });
});

describe("interpolation - structured methods", () => {
  it.each([
    ["this.arr.length()", "3"],
    ["this.obj.length()", "3"],
    ["this.obj.keys()", '["a","b","c"]'],
    ["this.obj.values()", '[1,2,{"d":4}]'],
    ["this.obj.key_values().index(0)", '{"key":"a","value":1}'],
    ['this.obj.exists("c.d")', "true"],
    ['this.obj.exists("c.e")', "false"],
    ['{"x": null}.exists("x")', "true"],
    ['this.obj.get("c.d")', "4"],
    ["this.arr.contains(1)", "true"],
    ["this.arr.contains(1.0)", "true"],
    ['this.arr.contains("1")', "false"],
    ["this.obj.contains(2)", "true"],
    ["this.arr.index(0)", "3"],
    ["this.arr.index(-1)", "2"],
    ['"ab".bytes().index(0)', "97"],
    ['"ab".bytes().index(-1)', "98"],
    ["this.arr.slice(1)", "[1,2]"],
    ["this.arr.slice(-2, -1)", "[1]"],
    ["this.arr.sort()", "[1,2,3]"],
    ["this.strs.sort()", '["a","b","c"]'],
    ["this.arr.sort(left > right)", "[3,2,1]"],
    ['[{"v":2},{"v":1}].sort_by(e -> e.v)', '[{"v":1},{"v":2}]'],
    ["this.arr.reverse()", "[2,1,3]"],
    ["this.arr.first()", "3"],
    ["this.arr.last()", "2"],
    ["this.nested.flatten()", "[1,2,3,4]"],
    ['[1, 1, "a", "a", 2].unique()', '[1,"a",2]'],
    ['this.arr.append(4, "x")', '[3,1,2,4,"x"]'],
    ["this.strs.enumerated().index(1)", '{"index":1,"value":"a"}'],
    ['this.strs.find("c")', "2"],
    ['this.strs.find("z")', "-1"],
    ["this.arr.map_each(x -> x * x)", "[9,1,4]"],
    ["this.arr.map_each(x -> if x > 1 { x } else { deleted() })", "[3,2]"],
    ["this.arr.map_each(x -> if x > 1 { x * 10 })", "[30,1,20]"],
    ["this.obj.map_each(kv -> kv.value.string())", '{"a":"1","b":"2","c":"{\\"d\\":4}"}'],
    ["this.arr.filter(x -> x > 1)", "[3,2]"],
    ['this.obj.filter(kv -> kv.key != "b")', '{"a":1,"c":{"d":4}}'],
    ["this.arr.any(x -> x > 2)", "true"],
    ["this.arr.all(x -> x > 2)", "false"],
    ["[].any(x -> true)", "false"],
    ['this.obj.without("a", "c.d")', '{"b":2,"c":{}}'],
    ['{"a": {"b": 1}}.merge({"a": {"c": 2}})', '{"a":{"b":1,"c":2}}'],
    ['{"a": 1}.merge({"a": 2})', '{"a":[1,2]}'],
    ['"{\\"a\\":1}".parse_json().a', "1"],
    ['"{\\"a\\":1.50}".parse_json(use_number: true).a', "1.50"],
    ['"{\\"a\\":1000000}".parse_json().a', "1e+06"],
    ['{"b": 1, "a": [1, 2]}.format_json()', '{\n    "a": [\n        1,\n        2\n    ],\n    "b": 1\n}'],
    ['{"b": 1, "a": "<"}.format_json(no_indent: true)', '{"a":"\\u003c","b":1}'],
    ['{"a": "<"}.format_json(indent: "  ", escape_html: false)', '{\n  "a": "<"\n}'],
    ["[].format_json()", "[]"],
    ["this.obj.(a + b)", "3"],
    ["this.obj.map(a + c.d)", "5"],
  ])("interpolation - %s gives %j", (query, expected) => {
    expect(q(query, doc)).toBe(expected);
  });

  // Examples of the reference's docs for the methods added after the spec's engine version.
  it.each([
    ['{"foo":[3,8,11]}', "this.foo.fold(0, item -> item.tally + item.value)", "22"],
    [
      '{"foo":["hello ", "world"]}',
      'this.foo.fold("", item -> "%v%v".format(item.tally, item.value))',
      "hello world",
    ],
    [
      '{"fruits":[{"apple":5},{"banana":3},{"orange":8}]}',
      "this.fruits.fold({}, item -> item.tally.merge(item.value))",
      '{"apple":5,"banana":3,"orange":8}',
    ],
    ['{"foo":[]}', "this.foo.fold(7, item -> item.tally + 1)", "7"],
    ['["foo", "bar", "baz", "bar"]', 'this.find_all("bar")', "[1,3]"],
    ['["foo", "bar", "baz"]', 'this.find_all("x")', "[]"],
    ['["foo", "bar", "baz"]', 'this.find_by(v -> v != "bar")', "0"],
    [
      '{"users":[{"name":"Alice","age":15},{"name":"Bob","age":22},{"name":"Carol","age":19}]}',
      "this.users.find_by(u -> u.age >= 18)",
      "1",
    ],
    ['["a"]', 'this.find_by(v -> v == "z")', "-1"],
    ['["foo", "bar", "baz"]', 'this.find_all_by(v -> v != "bar")', "[0,2]"],
    [
      '{"dict":{"keya":"hello","keyb":"world"}}',
      "this.dict.map_each_key(key -> key.uppercase())",
      '{"KEYA":"hello","KEYB":"world"}',
    ],
    [
      '{"amqp_key":"foo","kafka_key":"bar","kafka_topic":"baz"}',
      'this.map_each_key(key -> if key.contains("kafka") { "_" + key })',
      '{"_kafka_key":"bar","_kafka_topic":"baz","amqp_key":"foo"}',
    ],
    [
      '{"foo":{"first_name":"fooer","likes":"bars"},"bar":{"second_name":"barer","likes":"foos"}}',
      "this.foo.assign(this.bar)",
      '{"first_name":"fooer","likes":"foos","second_name":"barer"}',
    ],
    [
      '{"defaults":{"timeout":30,"retries":3,"tls":{"on":false,"ca":"x"}},"user":{"timeout":60,"tls":{"on":true}}}',
      "this.defaults.assign(this.user)",
      '{"retries":3,"timeout":60,"tls":{"ca":"x","on":true}}',
    ],
    ['{"a":["x"],"b":["y"]}', "this.a.assign(this.b)", '["x","y"]'],
    ['{"a":[1]}', 'this.assign({"a":[2]})', '{"a":[2]}'],
    ['{"a":[1]}', 'this.assign({"a":{"x":1}})', '{"a":{"x":1}}'],
    ['{"a":1}', "this.assign(null)", '{"a":1}'],
    ['{"a":1}', "this.assign([1])", '{"a":1}'],
    ['{"a":{"b":1,"c":[1]}}', 'this.merge({"a":{"b":2,"c":3}})', '{"a":{"b":[1,2],"c":[1,3]}}'],
    ['{"a":1}', 'this.merge({"a":[2,3]})', '{"a":[1,2,3]}'],
    ['{"a":1}', "this.merge(5)", '{"a":1}'],
    ["[1]", "this.merge([2, 3])", "[1,2,3]"],
    ["[1]", "this.merge(2)", "[1,2]"],
    [
      '{"foo":[{"bar":"1"},{"bar":{}},{"bar":"2"},{"bar":[]}]}',
      "this.collapse()",
      '{"foo.0.bar":"1","foo.2.bar":"2"}',
    ],
    [
      '{"foo":[{"bar":"1"},{"bar":{}},{"bar":"2"},{"bar":[]}]}',
      "this.collapse(include_empty: true)",
      '{"foo.0.bar":"1","foo.1.bar":{},"foo.2.bar":"2","foo.3.bar":[]}',
    ],
    [
      '{"id":1,"value":["foo","bar","baz"]}',
      'this.explode("value")',
      '[{"id":1,"value":"foo"},{"id":1,"value":"bar"},{"id":1,"value":"baz"}]',
    ],
    [
      '{"id":1,"value":{"foo":2,"bar":[3,4],"baz":{"bev":5}}}',
      'this.explode("value")',
      '{"bar":{"id":1,"value":[3,4]},"baz":{"id":1,"value":{"bev":5}},"foo":{"id":1,"value":2}}',
    ],
    ['{"id":1,"a":{"b":[1,2]}}', 'this.explode("a.b")', '[{"a":{"b":1},"id":1},{"a":{"b":2},"id":1}]'],
  ])("interpolation - on %s, %s gives %j", (body, query, expected) => {
    expect(q(query, msg(body))).toBe(expected);
  });

  it.each([
    [
      '{"foo":3}',
      "this.foo.fold(0, item -> item.tally + item.value)",
      "expected array value, got number from field `this.foo` (3)",
    ],
    [
      '["a"]',
      "this.find_by(v -> v)",
      'field `this`: query returned a non-boolean value for index 0: expected bool value, got string ("a")',
    ],
    [
      '{"a":1}',
      "this.map_each_key(k -> 5)",
      "field `this`: unexpected result from key mapping: expected string value, got number (5)",
    ],
    [
      '{"id":1}',
      'this.explode("value")',
      "field `this`: expected array or object value at path 'value', found: null",
    ],
    ['"x"', "this.collapse()", "field `this`: not an object or array"],
    ["5", "this.merge(1)", "expected object or array value, got number from field `this` (5)"],
    ["5", "this.assign(1)", "expected object or array value, got number from field `this` (5)"],
  ])("interpolation - on %s, %s fails with %j", (body, query, message) => {
    expect(qError(query, msg(body)).message).toBe(message);
  });

  it.each([
    [
      '"{broken".parse_json()',
      "string literal: failed to parse value as JSON: invalid character 'b' looking for beginning of object key string",
    ],
    [
      '"{} {}".parse_json()',
      "string literal: failed to parse value as JSON: invalid character '{' after top-level value",
    ],
    ["this.n.keys()", "expected object value, got number from field `this.n` (5)"],
    ["this.n.length()", "expected string, array or object value, got number from field `this.n` (5)"],
    ["this.n.slice(1)", "expected array or string value, got number from field `this.n` (5)"],
    ["this.n.map_each(x -> x)", "expected array or object value, got number from field `this.n` (5)"],
    [
      "this.arr.map_each(x -> x.uppercase())",
      "field `this.arr`: failed to process element 0: expected string value, got number from field `x` (3)",
    ],
    ["this.arr.any(x -> x)", "field `this.arr`: element 0: expected bool value, got number (3)"],
    ["[].first()", "array literal: array is empty"],
    ['[1, "a"].sort()', "array literal: expected number or string value, got string"],
  ])("interpolation - %s fails with %j", (query, message) => {
    expect(qError(query, doc).message).toBe(message);
  });
});

describe("interpolation - general methods", () => {
  it.each([
    ['this.nope.or("d")', "d"],
    ['this.n.or("d")', "5"],
    ['this.n.uppercase().catch("c")', "c"],
    [
      "this.n.uppercase().catch(e -> e.length())",
      String("expected string value, got number from field `this.n` (5)".length),
    ],
    ["this.t.not()", ""],
    ["(1 > 2).not()", "true"],
    ["this.s.not_null()", "Hello World"],
    ["this.s.not_empty()", "Hello World"],
    ["[1].not_empty()", "[1]"],
  ])("interpolation - %s gives %j", (query, expected) => {
    if (expected === "") {
      expect(qError(query, doc).message).toBe("expected bool value, got null from field `this.t`");
      return;
    }
    expect(q(query, doc)).toBe(expected);
  });

  it.each([
    ["this.empty.not_empty()", "field `this.empty`: string value is empty"],
    ["[].not_empty()", "array literal: array value is empty"],
    ["{}.not_empty()", "object literal: object value is empty"],
    [
      "this.n.not_empty()",
      "expected string, bytes, array or object value, got number from field `this.n` (5)",
    ],
    ["this.nope.not_null()", "field `this.nope`: value is null"],
  ])("interpolation - %s fails with %j", (query, message) => {
    expect(qError(query, doc).message).toBe(message);
  });
});

describe("interpolation - encoding and hashing", () => {
  it.each([
    ['"hello".encode("base64")', "aGVsbG8="],
    ['"hi?>".encode("base64url")', "aGk_Pg=="],
    ['"hi?>".encode("base64rawurl")', "aGk_Pg"],
    ['"hello".encode("hex")', "68656c6c6f"],
    ['"hello".encode("ascii85")', "BOu!rDZ"],
    ['"\\x00\\x00\\x00\\x00".bytes().encode("ascii85")', "z"],
    ['"abcd".encode("z85")', "vpA.S"],
    ['"aGVsbG8=".decode("base64")', "hello"],
    ['"aGk_Pg==".decode("base64url")', "hi?>"],
    ['"aGk_Pg".decode("base64rawurl")', "hi?>"],
    ['"68656c6c6f".decode("hex")', "hello"],
    ['"BOu!rDZ".decode("ascii85")', "hello"],
    ['"vpA.S".decode("z85")', "abcd"],
    ['"aGVsbG8=".decode("base64").type()', "bytes"],
    ['"hello".encode("hex").type()', "string"],
    ['"hello".hash("md5").encode("hex")', "5d41402abc4b2a76b9719d911017c592"],
    ['"hello".hash("sha1").encode("hex")', "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"],
    [
      '"hello".hash("sha256").encode("hex")',
      "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
    ],
    ['"hello".hash("sha512").encode("hex").length()', "128"],
    [
      '"hello".hash("sha3_256").encode("hex")',
      "3338be694f50c5f338814986cdf0686453a888b84f424d792af4b9202398f392",
    ],
    [
      '"hello".hash("hmac_sha256", "key").encode("hex")',
      "9307b3b915efb5171ff14d8cb55fbcc798c6c0ef1456d66ded1a6aa723a58b7b",
    ],
    ['"hello".hash("crc32").encode("hex")', "3610a686"],
    ['"hello".hash(algorithm: "crc32", polynomial: "Castagnoli").encode("hex")', "9a71bb4c"],
    ['"hello".hash(algorithm: "crc32", polynomial: "Koopman").encode("hex").length()', "8"],
    ['"hello".hash("xxhash64")', "2794345569481354659"],
    ['"".hash("xxhash64")', "17241709254077376921"],
    ['"hello".hash("fnv32")', "3069866343"],
  ])("interpolation - %s gives %j", (query, expected) => {
    expect(q(query)).toBe(expected);
  });

  it.each([
    ['"!!!".decode("base64")', "string literal: unexpected EOF"],
    ['"abc".decode("base64")', "string literal: unexpected EOF"],
    ['"eA".decode("base64url")', "string literal: unexpected EOF"],
    ['"!!!!eA".decode("base64")', "string literal: illegal base64 data at input byte 0"],
    ['"zz".decode("hex")', "string literal: encoding/hex: invalid byte: U+007A 'z'"],
    ['"abc".decode("hex")', "string literal: unexpected EOF"],
    ['"abc".encode("z85")', "string literal: z85: invalid input length (multiple of 4 bytes only)"],
  ])("interpolation - %s fails with %j", (query, message) => {
    expect(qError(query).message).toBe(message);
  });

  it("interpolation - unknown schemes and algorithms are rejected when compiled", () => {
    expect(parseError('${! "a".encode("rot13") }').reason).toBe("unrecognized encoding type: rot13");
    expect(parseError('${! "a".hash("md4") }').reason).toBe("unrecognized hash type: md4");
    expect(parseError('${! "a".hash("hmac_sha1") }').reason).toBe("missing key for hmac_sha1 algorithm");
  });

  it("interpolation - a hash is 32 raw bytes when injected", () => {
    expect(testEnv.compile('${! "x".hash("sha256") }').evaluateBytes(msg()).length).toBe(32);
  });
});
