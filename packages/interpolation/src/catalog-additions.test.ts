import { describe, expect, it, vi } from "vitest";
import { msg, parseError, q, qError } from "../test/helpers.js";

// What the reference examples do not cover: error texts, edge cases and parse-time refusals of
// the functions and methods added from the reference catalog.

describe("catalog additions - numbers", () => {
  it.each([
    ["pi()", "3.141592653589793"],
    ["0.sin()", "0"],
    ["100.log10()", "2"],
    ["2.pow(-1)", "0.5"],
    ["12.bitwise_and(10)", "8"],
    ["12.bitwise_or(3)", "15"],
    ["12.bitwise_xor(10)", "6"],
    ['"0xD".int8()', "13"],
    ['"0xDE".uint16()', "222"],
    ["70000.uint32()", "70000"],
    ['"6.674282313423543523453425345e-11".float32()', "6.674283e-11"],
  ])("numbers - %s gives %s", (query, expected) => {
    expect(q(query)).toBe(expected);
  });

  it.each([
    ["300.int8()", "value is too large to be cast as an 8-bit signed integer"],
    ["(0 - 200).int8()", "value is too small to be cast as an 8-bit signed integer"],
    ["(0 - 1).uint16()", "signed integer value is negative and cannot be cast as an unsigned integer"],
    ["70000.uint16()", "value is too large to be cast as a 16-bit unsigned integer"],
    ['"x".cos()', 'expected number value, got string from string literal ("x")'],
    ['"x".bitwise_and(1)', 'expected number value, got string from string literal ("x")'],
  ])("numbers - %s fails with the reference's text", (query, text) => {
    expect(qError(query).message).toContain(text);
  });
});

describe("catalog additions - strings and structures", () => {
  it.each([
    ['"ab".repeat(3)', "ababab"],
    ['"ab".repeat(0)', ""],
    ['["/foo/", "../bar.txt"].filepath_join()', "/bar.txt"],
    ['["a", "", "b/./c"].filepath_join()', "a/b/c"],
    ['"/foo/bar.txt".filepath_split().join("|")', "/foo/|bar.txt"],
    ['"nodir".filepath_split().join("|")', "|nodir"],
    ["[1, 2].concat([3], [4, 5]).sum()", "15"],
    ['[1, 2].zip(["a", "b"]).string()', '[[1,"a"],[2,"b"]]'],
    ['[{"a": 1}, {"a": 2, "b": 3}].squash().string()', '{"a":[1,2],"b":3}'],
    ['{"a": {"b": 1, "c": 2}, "d": 3, "e": 4}.with("a.b", "d").string()', '{"a":{"b":1},"d":3}'],
    ['[1, "1", 1.0, 2, "b", "b"].unique().string()', '[1,"1",2,"b"]'],
    ['[{"id": 1, "n": "a"}, {"id": 1, "n": "b"}].unique(u -> u.id).map_each(u -> u.n).join(",")', "a"],
    ['"Hello world. How are you?".unicode_segments("sentence").length()', "2"],
    ['"Straße über Ærø & co".slug("de")', "strasse-ueber-aero-und-co"],
    ['"  --Hello__World--  ".slug()', "hello__world"],
    ['"<p class=\\"x\\">a &amp; b it\'s</p><!-- c --><style>x{}</style>".strip_html()', "a &amp; b it&#39;s"],
    ['"<a href=\\"x\\">l</a><b>B</b>".strip_html(["b"])', "l<b>B</b>"],
  ])("structures - %s gives %s", (query, expected) => {
    expect(q(query)).toBe(expected);
  });

  it.each([
    ["[1].zip([1, 2])", "can't zip different length array values"],
    ["[1].zip()", "zip requires at least one argument"],
    ["[true].unique()", "index 0: expected string or number value, got bool (true)"],
    ['"a".concat([1])', "expected array value, got string"],
    ["[1].filepath_join()", "path element 0: expected string value, got number (1)"],
    ['"x".unicode_segments("line")', "unknown segmentation type: line"],
  ])("structures - %s fails with %j", (query, text) => {
    expect(qError(query).message).toContain(text);
  });

  it("structures - strip_html refuses an element name that is not a string when compiled", () => {
    expect(parseError('${! "x".strip_html([1]) }').message).toContain(
      "invalid arg at index 0: expected string, got number",
    );
  });

  it("structures - repeat refuses a negative count when compiled", () => {
    expect(parseError('${! "a".repeat(-1) }').message).toContain(
      "invalid count, must be greater than or equal to zero: -1",
    );
  });
});

describe("catalog additions - parsing", () => {
  it.each([
    ['"a,b\\n1,2\\n3,4".parse_csv().string()', '[{"a":"1","b":"2"},{"a":"3","b":"4"}]'],
    [
      '"a;b\\n\\"x;\\"\\"y\\"\\"\\";2".parse_csv(delimiter: ";", parse_header_row: false).string()',
      '[["a","b"],["x;\\"y\\"","2"]]',
    ],
    ['"a,b\\r\\n\\r\\n1,\\"multi\\nline\\"\\r\\n".parse_csv().index(0).b', "multi\nline"],
    ['"a=1&b=2&b=3&c".parse_form_url_encoded().string()', '{"a":"1","b":["2","3"],"c":""}'],
    [
      '"level=info msg=\\"a \\\\\\"b\\\\\\"\\" flag".parse_logfmt().string()',
      '{"flag":true,"level":"info","msg":"a \\"b\\""}',
    ],
    [
      '"https://u:p@host:8080/a%20b?x=1#f".parse_url().string()',
      '{"fragment":"f","host":"host:8080","opaque":"","path":"/a b","raw_fragment":"","raw_path":"","raw_query":"x=1","scheme":"https","user":{"name":"u","password":"p"}}',
    ],
    ['"mailto:joe@example.com".parse_url().opaque', "joe@example.com"],
    [
      '"foo: [1, 2.5, true]\\nbar: {baz: null}".parse_yaml().string()',
      '{"bar":{"baz":null},"foo":[1,2.5,true]}',
    ],
    ['{"b": [1, 2], "a": {"c": "d e"}}.format_yaml().string()', "a:\n    c: d e\nb:\n    - 1\n    - 2\n"],
    ['{"foo": "bar"}.format_msgpack().encode("hex")', "81a3666f6fa3626172"],
    [
      '{"n": 5, "f": 1.5, "l": [true, null]}.format_msgpack().parse_msgpack().string()',
      '{"f":1.5,"l":[true,null],"n":5}',
    ],
    ['{"a": 1}.bloblang("root.b = this.a + 1").string()', '{"b":2}'],
  ])("parsing - %s", (query, expected) => {
    expect(q(query)).toBe(expected);
  });

  it.each([
    ['"a,b\\n1".parse_csv()', "record on line 2: wrong number of fields"],
    ['"a,b\\"c".parse_csv()', 'parse error on line 1, column 4: bare " in non-quoted field'],
    ['"a".parse_csv(delimiter: "ab")', "delimiter value must be exactly one character"],
    [
      '"x=%zz".parse_form_url_encoded()',
      'failed to parse value as url-encoded data: invalid URL escape "%zz"',
    ],
    ['"a=\\"open".parse_logfmt()', 'logfmt: unterminated quoted value for key "a"'],
    ['":nope".parse_url()', 'parse ":nope": missing protocol scheme'],
    [
      '{"a": 1}.bloblang("root.b = this.nope.uppercase()")',
      "failed assignment (line 1): expected string value, got null",
    ],
    ['"c1".decode("hex").parse_msgpack()', "msgpack: unknown code c1 when decoding interface{}"],
  ])("parsing - %s fails with %j", (query, text) => {
    expect(qError(query).message).toContain(text);
  });

  it("parsing - parse_yaml never prints the message's text as a process warning", () => {
    // The YAML library reports an unknown directive or tag, or a collection used as a key,
    // through process.emitWarning, which Node prints to stderr with the text it is about:
    // message content in an app's logs.
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    try {
      expect(q("content().parse_yaml().string()", msg("%SECRET s3cr3t\n---\na: !custom x\n"))).toBe(
        '{"a":"x"}',
      );
      // A collection as a key: the library warns, quoting it, while turning it into a string.
      q("content().parse_yaml().string()", msg("? [s3cr3t, b]\n: 1\n"));
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it("parsing - dynamic mappings cannot read the message or the environment", () => {
    expect(parseError('${! {}.bloblang("root = content()") }').message).toContain(
      "unrecognised function 'content'",
    );
    expect(parseError('${! {}.bloblang("root = env(\\"HOME\\")") }').message).toContain(
      "unrecognised function 'env'",
    );
    expect(parseError('${! {}.bloblang("let x = 1") }').message).toContain("only root assignments");
  });
});

describe("catalog additions - parse_xml", () => {
  it("parse_xml - attributes, repeated elements, text beside children, CDATA", () => {
    const xml = '<a x=\\"1\\"><b>1</b><b>2</b><c/><!-- x --><d><![CDATA[<z>]]></d>t &amp; u</a>';
    expect(q(`"${xml}".parse_xml().format_json(no_indent: true, escape_html: false).string()`)).toBe(
      '{"a":{"#text":"t & u","-x":"1","b":["1","2"],"c":"","d":"<z>"}}',
    );
    expect(q(`"${xml}".parse_xml(cast: true).a.b.sum()`)).toBe("3");
  });

  it("parse_xml - malformed documents fail with Go's text", () => {
    expect(qError('"<a><b>".parse_xml()').message).toContain(
      "parsing value as XML: XML syntax error on line 1: unexpected EOF",
    );
    expect(qError('"<a></b>".parse_xml()').message).toContain("element <a> closed by </b>");
  });
});

describe("catalog additions - diff and patch", () => {
  it("diff - changes sorted by path, arrays compared by membership", () => {
    expect(q('{"a": 1, "b": [1, 2], "c": "x"}.diff({"a": 2, "b": [1, 3], "d": true}).string()')).toBe(
      '[{"From":1,"Path":["a"],"To":2,"Type":"update"},{"From":2,"Path":["b","1"],"To":3,"Type":"update"},' +
        '{"From":"x","Path":["c"],"To":null,"Type":"delete"},{"From":null,"Path":["d"],"To":true,"Type":"create"}]',
    );
    expect(qError('{"a": 1}.diff({"a": "x"})').message).toContain("types do not match");
  });

  it("patch - applying a diff gives the other value", () => {
    const a = '{"a": 1, "n": {"x": [1, 2]}, "c": "x"}';
    const b = '{"a": 2, "n": {"x": [1, 3], "y": 1}, "d": true}';
    expect(q(`${a}.patch(${a}.diff(${b})).string()`)).toBe(q(`${b}.string()`));
  });
});

describe("catalog additions - json_path", () => {
  const doc = msg(
    JSON.stringify({
      store: {
        book: [
          { t: "a", p: 8 },
          { t: "b", p: 12 },
          { t: "c", p: 9, isbn: "x" },
        ],
      },
      n: 1,
    }),
  );
  it.each([
    ['this.json_path("$.n")', "1"],
    ['this.json_path("$.store.book[0].t")', "a"],
    ['this.json_path("$.store.book[*].t").join(",")', "a,b,c"],
    ['this.json_path("$.store.book[-1].t")', "c"],
    ['this.json_path("$.store.book[0:2].t").join(",")', "a,b"],
    ['this.json_path("$.store.book[?(@.p < 10)].t").join(",")', "a,c"],
    ['this.json_path("$.store.book[?(@.isbn)].t").join(",")', "c"],
    ['this.json_path("$.store.book[?(@.t == \'b\' || @.p > 8.5)].t").join(",")', "b,c"],
    ['this.json_path("$..t").join(",")', "a,b,c"],
    ["this.json_path(\"$['n', 'missing']\").length()", "1"],
  ])("json_path - %s gives %s", (query, expected) => {
    expect(q(query, doc)).toBe(expected);
  });

  it("json_path - a missing key on a definite path fails; bad syntax is a parse error", () => {
    expect(qError('this.json_path("$.nope")', doc).message).toContain("unknown key nope");
    expect(parseError('${! this.json_path("$.a[") }').message).toContain("evaluating json path expression");
  });
});

describe("catalog additions - infer_schema", () => {
  it("infer_schema - fingerprints match the reference's locked canonical form", () => {
    // public/schema/fingerprint_test.go TestFingerprintLegacyStability
    expect(q('{"id": "x"}.infer_schema().children.index(0).fingerprint')).toBe(
      "bba6ac8334a77739f7374a773a738639cacba208b662eaad515178bd75d290fe",
    );
    expect(
      q(
        '{"ts": "2020-01-01T00:00:00Z".ts_parse("2006-01-02T15:04:05Z07:00")}.infer_schema().children.index(0).fingerprint',
      ),
    ).toBe("29368740c39657a4a6f7194f43d5254ec0c987a1107190c4dfb3912066540e81");
  });

  it("infer_schema - types, names and sorted children; mixed arrays fail", () => {
    const schema = '{"b": [1.5], "a": 1, "c": {"d": true}}.infer_schema()';
    expect(q(`${schema}.type`)).toBe("OBJECT");
    expect(q(`${schema}.children.map_each(c -> c.name + ":" + c.type).join(",")`)).toBe(
      "a:INT64,b:ARRAY,c:OBJECT",
    );
    expect(q(`${schema}.children.index(1).children.index(0).type`)).toBe("FLOAT64");
    expect(q(`${schema}.children.index(2).children.index(0).type`)).toBe("BOOLEAN");
    expect(qError('{"a": [1, "x"]}.infer_schema()').message).toContain(
      ".a.1 mismatched array types, found INT64 and STRING",
    );
  });
});

describe("catalog additions - json_schema", () => {
  const schema = JSON.stringify({
    type: "object",
    required: ["id"],
    properties: {
      id: { type: "integer", minimum: 1 },
      name: { type: "string", minLength: 2, pattern: "^[a-z]+$" },
      tags: { type: "array", items: { type: "string" }, uniqueItems: true },
      kind: { enum: ["a", "b"] },
    },
    additionalProperties: false,
  });
  const check = (doc: unknown) =>
    qError(`this.json_schema(${JSON.stringify(schema)})`, msg(JSON.stringify(doc)));

  it("json_schema - a valid value passes through unchanged", () => {
    expect(q(`this.json_schema(${JSON.stringify(schema)}).id`, msg('{"id":3,"tags":["x"]}'))).toBe("3");
  });

  it("json_schema - every violation is listed with gojsonschema's field and text", () => {
    expect(check({ id: 0, name: "A", tags: ["x", "x", 1], kind: "c", extra: 1 }).message).toBe(
      [
        "field `this`: id must be greater than or equal to 1",
        "name string length must be greater than or equal to 2",
        "name does not match pattern '^[a-z]+$'",
        "tags array items[0,1] must be unique",
        "tags.2 invalid type. expected: string, given: integer",
        'kind kind must be one of the following: "a", "b"',
        "(root) additional property extra is not allowed",
      ].join("\n"),
    );
    expect(check({}).message).toBe("field `this`: (root) id is required");
  });

  it("json_schema - an invalid schema is a parse error", () => {
    expect(parseError('${! this.json_schema("{") }').message).toContain(
      "failed to parse json schema definition: unexpected end of JSON input",
    );
  });
});

describe("catalog additions - encoding and encryption", () => {
  const key = '"2b7e151628aed2a6abf7158809cf4f3c".decode("hex")';
  const iv = '"f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff".decode("hex")';

  it.each(["ctr", "ofb", "cbc"])("aes - %s round-trips", (scheme) => {
    const plain = '"0123456789abcdef"';
    expect(
      q(`${plain}.encrypt_aes("${scheme}", ${key}, ${iv}).decrypt_aes("${scheme}", ${key}, ${iv}).string()`),
    ).toBe("0123456789abcdef");
  });

  it("aes - ctr gives the reference's ciphertext", () => {
    expect(q(`"hello world!".encrypt_aes("ctr", ${key}, ${iv}).encode("hex")`)).toBe(
      "84e9b31ff7400bdf80be7254",
    );
  });

  it("aes - gcm appends the tag and checks it", () => {
    const nonce = '"123456789012"';
    expect(q(`"hi".encrypt_aes("gcm", ${key}, ${nonce}).decrypt_aes("gcm", ${key}, ${nonce}).string()`)).toBe(
      "hi",
    );
    expect(
      qError(`"0123456789abcdef0123".decode("hex").decrypt_aes("gcm", ${key}, ${nonce})`).message,
    ).toContain("gcm decrypting failed: cipher: message authentication failed");
  });

  it("aes - bad keys, schemes and sizes fail with the reference's text", () => {
    const k = '"0123456789abcdef"';
    const v = '"fedcba9876543210"';
    expect(parseError(`\${! "a".encrypt_aes("ctr", "short", ${v}) }`).message).toContain(
      "crypto/aes: invalid key size 5",
    );
    expect(parseError(`\${! "a".encrypt_aes("xts", ${k}, ${v}) }`).message).toContain(
      "unrecognized encryption type: xts",
    );
    expect(parseError(`\${! "a".encrypt_aes("cbc", ${k}, "short") }`).message).toContain(
      "the key must match the initialisation vector size",
    );
    expect(qError(`"abc".encrypt_aes("cbc", ${key}, ${iv})`).message).toContain(
      "plaintext is not a multiple of the block size",
    );
  });

  it("uuid_v5 - gives RFC 9562 values for the predefined and custom namespaces", () => {
    expect(q('"www.example.com".uuid_v5("dns")')).toBe("2ed6657d-e927-568b-95e1-2665a8aea6a2");
    expect(q('"example".uuid_v5()')).toBe("feb54431-301b-52bb-a6dd-e1e93e81bb9e");
    expect(qError('"x".uuid_v5("nope")').message).toContain('invalid ns uuid: "nope"');
  });

  it.each(["gzip", "pgzip", "zlib", "flate", "lz4", "snappy"])("compress - %s round-trips", (alg) => {
    expect(q(`"hello hello hello".compress("${alg}").decompress("${alg}").string()`)).toBe(
      "hello hello hello",
    );
  });

  it("compress - unknown algorithms are refused when compiled, bzip2 compression among them", () => {
    expect(parseError('${! "a".compress("nope") }').message).toContain(
      "compression type not recognised: nope",
    );
    expect(parseError('${! "a".decompress("nope") }').message).toContain(
      "decompression type not recognised: nope",
    );
    expect(parseError('${! "a".compress("bzip2") }').message).toContain(
      "compression type not recognised: bzip2",
    );
    expect(qError('"not gzip".decompress("gzip")').message).toContain("gzip: invalid header");
  });

  it("compress - lz4 levels past 9 fail when called, with the value Go's writer rejects", () => {
    expect(qError('"a".compress("lz4", 10)').message).toContain("lz4: invalid compression level: 262144");
    expect(q('"abc".compress("lz4", 30).decompress("lz4").string()')).toBe("abc");
  });

  it("decompress - lz4, snappy and bzip2 errors carry the Go codecs' texts", () => {
    expect(qError('"not lz4".decompress("lz4")').message).toContain("lz4: bad magic number");
    expect(qError('"".decompress("snappy")').message).toContain("s2: corrupt input");
    expect(qError('"not bzip2".decompress("bzip2")').message).toContain(
      "bzip2 data invalid: bad magic value",
    );
  });
});

describe("catalog additions - JSON web tokens", () => {
  it("jwt - signs and parses HMAC tokens as the reference", () => {
    expect(q('{"sub":"user123"}.sign_jwt_hs256("dont-tell-anyone")')).toBe(
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyMTIzIn0.hUl-nngPMY_3h9vveWJUPsCcO5PeL6k9hWLnMYeFbFQ",
    );
    expect(
      q('{"sub":"u","n":5}.sign_jwt_hs512("k", {"kid": "x", "alg": "none"}).parse_jwt_hs512("k").string()'),
    ).toBe('{"n":5,"sub":"u"}');
  });

  it("jwt - rejects a wrong secret, algorithm or an expired token", () => {
    expect(qError('{"a":1}.sign_jwt_hs256("k").parse_jwt_hs256("other")').message).toContain(
      "parsing JWT string: token signature is invalid: signature is invalid",
    );
    expect(qError('{"a":1}.sign_jwt_hs256("k").parse_jwt_hs384("k")').message).toContain(
      "incorrect signing method: HS256",
    );
    expect(qError('{"exp":1}.sign_jwt_hs256("k").parse_jwt_hs256("k")').message).toContain(
      "parsing JWT string: token has invalid claims: token is expired",
    );
    expect(qError('"a.b".parse_jwt_hs256("k")').message).toContain(
      "token contains an invalid number of segments",
    );
  });

  it("jwt - a key that is not PEM is refused when compiled", () => {
    expect(parseError('${! {}.sign_jwt_rs256("nope") }').message).toContain(
      "decoding signing_secret: invalid key: Key must be a PEM encoded PKCS1 or PKCS8 key",
    );
  });
});

describe("catalog additions - ids", () => {
  it("ulid - 26 Crockford characters or 32 hex digits", () => {
    expect(q("ulid()")).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(q('ulid("hex")')).toMatch(/^[0-9a-f]{32}$/);
    expect(parseError('${! ulid("b64") }').message).toContain("invalid ulid encoding: b64");
    expect(parseError('${! ulid("hex", "dice") }').message).toContain("invalid randomness source: dice");
  });

  it("snowflake_id - increasing ids with the node in bits 12-21", () => {
    const [a, b] = [BigInt(q("snowflake_id(5)")), BigInt(q("snowflake_id(5)"))];
    expect((a >> 12n) & 1023n).toBe(5n);
    expect(b > 0n).toBe(true);
    expect(parseError("${! snowflake_id(1024) }").message).toContain(
      "Node number must be between 0 and 1023",
    );
  });
});

describe("catalog additions - unsupported entries", () => {
  it("unsupported - a geoip method is a parse error saying what it needs", () => {
    const e = parseError('${! this.geoip_city("/db.mmdb") }');
    expect(e.code).toBe("UNSUPPORTED");
    expect(e.message).toContain(
      "method 'geoip_city' is not supported in natskit: it needs a MaxMind GeoIP2 database",
    );
  });

  it("unsupported - other unknown names stay unrecognised", () => {
    expect(parseError("${! this.nope() }").code).toBe("UNKNOWN_METHOD");
    expect(parseError("${! nope() }").code).toBe("UNKNOWN_FUNCTION");
  });
});
