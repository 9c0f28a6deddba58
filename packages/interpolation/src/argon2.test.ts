import { describe, expect, it } from "vitest";
import { msg, q, qError, queryErrorText } from "../test/helpers.js";
import { compareArgon2 } from "./argon2.js";
import { utf8Encode } from "./value.js";

// Redpanda Connect's test hashes of "some-fancy-secret" (internal/impl/crypto/argon2_test.go).
const ID = "$argon2id$v=19$m=4096,t=3,p=1$c2FsdHktbWNzYWx0ZmFjZQ$XTu19IC4rYL/ERsDZr2HOZe9bcMx88ARJ/VVfT2Lb3U";
const I = "$argon2i$v=19$m=4096,t=3,p=1$c2FsdHktbWNzYWx0ZmFjZQ$fyLJGjF+IArVfBnQ6ihK8jQwdNv4sv1aEZGVzBu9oAs";
const SALT_AND_KEY = "c2FsdHktbWNzYWx0ZmFjZQ$XTu19IC4rYL/ERsDZr2HOZe9bcMx88ARJ/VVfT2Lb3U";

const compare = (hash: string, input: string) => compareArgon2(hash, utf8Encode(input));

const errorOf = (hash: string) => queryErrorText(() => compare(hash, "some-fancy-secret"));

describe("argon2", () => {
  it("argon2 - matches the reference's argon2id and argon2i hashes", () => {
    expect(compare(ID, "some-fancy-secret")).toBe(true);
    expect(compare(ID, "a-blobs-tale")).toBe(false);
    expect(compare(I, "some-fancy-secret")).toBe(true);
    expect(compare(I, "a-blobs-tale")).toBe(false);
  });

  it("argon2 - agrees with the argon2 reference tool on other parameters", () => {
    // echo -n PASSWORD | argon2 SALT -id|-i -t T -m|-k M -p P -l LENGTH -e (Debian's argon2)
    expect(
      compare(
        "$argon2id$v=19$m=64,t=2,p=2$c2FsdHlzYWx0eXNhbHQ$9LsJkKMnUdNebNclaW0Pw3Iof+X1uq6F",
        "some-fancy-secret",
      ),
    ).toBe(true);
    // 100 KiB over 3 lanes is rounded down to a multiple of 12 blocks, as Go and the RFC do.
    expect(
      compare("$argon2i$v=19$m=100,t=1,p=3$c2FsdHlzYWx0eXNhbHQ$CIPo3X6y0LBFuzqYAZvadg", "some-fancy-secret"),
    ).toBe(true);
    expect(compare("$argon2id$v=19$m=8,t=3,p=1$ZWlnaHQ4ODg$F8ur0g", "pässwörd")).toBe(true);
  });

  it("argon2 - the version is read but every hash is computed as version 19, as in the reference", () => {
    expect(compare(ID.replace("v=19", "v=16"), "some-fancy-secret")).toBe(true);
    expect(compare(ID.replace("v=19", "v=anything"), "some-fancy-secret")).toBe(true);
    const v16 = "$argon2id$v=16$m=64,t=1,p=1$c2FsdHlzYWx0eXNhbHQ$9eWSZ9SDHBG+eJTPnC9m+Bl+8t3XRxmV6+12T/+SpqQ";
    expect(compare(v16, "some-fancy-secret")).toBe(false);
  });

  it("argon2 - an empty input is false before the hash is read", () => {
    expect(compare(ID, "")).toBe(false);
    expect(compare("not a hash", "")).toBe(false);
  });

  it("argon2 - reads parameters as fmt.Sscanf does: spaces before numbers are skipped", () => {
    expect(compare(ID.replace("m=4096,t=3,p=1", "m= 4096,t=\t3,p=1 "), "some-fancy-secret")).toBe(true);
  });

  it("argon2 - refuses malformed hashes with the reference's text", () => {
    expect(errorOf("")).toBe("invalid argon2 hash");
    expect(errorOf("$argon2id$v=19$m=4096,t=3,p=1$XTu19IC4rYL/ERsDZr2HOZe9bcMx88ARJ/VVfT2Lb3U")).toBe(
      "invalid argon2 hash",
    );
    expect(errorOf(`$lol${ID}`)).toBe("invalid argon2 hash");
    expect(errorOf(ID.replace("argon2id", "argon2d"))).toBe(
      "invalid argon2 hash: unrecognised argon2 format",
    );
    expect(errorOf(ID.replace("v=19", "x=19"))).toBe(
      "invalid argon2 hash: parsing version; input does not match format",
    );
    expect(errorOf(ID.replace("v=19", "v"))).toBe("invalid argon2 hash: parsing version; unexpected EOF");
    expect(errorOf(ID.replace("v=19", "v="))).toBe("invalid argon2 hash: parsing version; EOF");
    expect(errorOf(`$argon2id$v=19$m=4096,t=3,p=137174$${SALT_AND_KEY}`)).toBe(
      "invalid argon2 hash: parsing parameters; unsigned integer overflow on token 137174",
    );
    expect(errorOf(`$argon2id$v=19$m=99999999999999999999,t=3,p=1$${SALT_AND_KEY}`)).toBe(
      'invalid argon2 hash: parsing parameters; strconv.ParseUint: parsing "99999999999999999999": value out of range',
    );
    expect(errorOf(`$argon2id$v=19$m=4096,t=3,p=1lololol$${SALT_AND_KEY}`)).toBe(
      "invalid argon2 hash: excess characters in parameters segment",
    );
    expect(errorOf(`$argon2id$v=19$m=4096,t=3$${SALT_AND_KEY}`)).toBe(
      "invalid argon2 hash: parsing parameters; input does not match format",
    );
    expect(errorOf(`$argon2id$v=19$m=x,t=3,p=1$${SALT_AND_KEY}`)).toBe(
      "invalid argon2 hash: parsing parameters; expected integer",
    );
    expect(errorOf(`$argon2id$v=19$m=4096,t=3,p=1$c2Fsd=$XTu19IC4rYL`)).toBe(
      "invalid argon2 hash: parsing base64 salt; illegal base64 data at input byte 5",
    );
    expect(errorOf(`$argon2id$v=19$m=4096,t=3,p=1$c2FsdHktbWNzYWx0ZmFjZQ$X`)).toBe(
      "invalid argon2 hash: parsing base64 key; illegal base64 data at input byte 0",
    );
  });

  it("argon2 - parameters Go's argon2 panics on, or RFC 9106 forbids, are errors", () => {
    expect(errorOf(`$argon2id$v=19$m=4096,t=0,p=1$${SALT_AND_KEY}`)).toBe(
      "argon2: number of rounds too small",
    );
    expect(errorOf(`$argon2id$v=19$m=4096,t=3,p=0$${SALT_AND_KEY}`)).toBe(
      "argon2: parallelism degree too low",
    );
    expect(
      errorOf("$argon2id$v=19$m=4096,t=3,p=1$c2FsdA$XTu19IC4rYL/ERsDZr2HOZe9bcMx88ARJ/VVfT2Lb3U"),
    ).toMatch(/^argon2: "salt"/);
  });
});

describe("argon2 - compare_argon2", () => {
  it("compare_argon2 - takes the hash from the message, and bytes as well as strings", () => {
    const m = msg(JSON.stringify({ hashed_secret: ID, user_input: "some-fancy-secret" }));
    expect(q("this.user_input.compare_argon2(this.hashed_secret)", m)).toBe("true");
    expect(q("this.user_input.bytes().compare_argon2(this.hashed_secret)", m)).toBe("true");
    expect(q('"a-blobs-tale".compare_argon2(this.hashed_secret)', m)).toBe("false");
  });

  it("compare_argon2 - errors are the plugin's own, not attributed to the target", () => {
    expect(qError(`this.n.compare_argon2("${ID}")`, msg('{"n":true}')).message).toBe(
      "expected string value, got bool (true)",
    );
    expect(qError('"x".compare_argon2("")').message).toBe("invalid argon2 hash");
  });
});
