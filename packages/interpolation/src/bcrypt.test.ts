import { describe, expect, it } from "vitest";
import { msg, q, qError, queryErrorText } from "../test/helpers.js";
import { compareBcrypt } from "./bcrypt.js";
import { utf8Encode } from "./value.js";

// Vectors from Redpanda Connect's docs and tests and from x/crypto/bcrypt's tests.
const DOCS = "$2y$10$Dtnt5NNzVtMCOZONT705tOcS8It6krJX8bEjnDJnwxiFKsz1C.3Ay"; // there-are-many-blobs-in-the-sea
const CONNECT = "$2y$10$ywv67wCBlpSVu.M7WrZwxuivaNrY.8fe4OF0YzQPtPomk7RS.W9aq"; // some-fancy-secret
const GO = "$2a$10$XajjQvNhvvRt5GSeFk1xFeyqRrsxkhBkUiQeg0dt.wU1qD4aFDcga"; // allmine
const GO_LONG = "$2a$10$XajjQvNhvvRt5GSeFk1xFe5l47dONXg781AmZtd869sO8zfsHuw7C";
const LONG_PASSWORD = "012345678901234567890123456789012345678901234567890123456"; // 57 bytes

const compare = (hash: string, password: string | Uint8Array) =>
  compareBcrypt(utf8Encode(hash), typeof password === "string" ? utf8Encode(password) : password);

const errorOf = (hash: string) => queryErrorText(() => compare(hash, "anything"));

describe("bcrypt", () => {
  it("bcrypt - matches the hashes of the reference's and Go's tests", () => {
    expect(compare(DOCS, "there-are-many-blobs-in-the-sea")).toBe(true);
    expect(compare(DOCS, "will-i-ever-find-love")).toBe(false);
    expect(compare(CONNECT, "some-fancy-secret")).toBe(true);
    expect(compare(CONNECT, "a-blobs-tale")).toBe(false);
    expect(compare(GO, "allmine")).toBe(true);
    expect(compare(GO, "allmine ")).toBe(false);
    expect(compare(GO_LONG, LONG_PASSWORD)).toBe(true);
  });

  it("bcrypt - reads the version as Go does: no minor letter, or any letter, computes the same", () => {
    expect(compare(GO.replace("$2a$", "$2$"), "allmine")).toBe(true);
    expect(compare(GO.replace("$2a$", "$2b$"), "allmine")).toBe(true);
    expect(compare(GO.replace("$2a$", "$2x$"), "allmine")).toBe(true);
    expect(compare(GO.replace("$2a$", "$1a$"), "allmine")).toBe(true);
  });

  it("bcrypt - compares 31 hash characters: more are ignored, fewer never match", () => {
    expect(compare(`${GO}trailing`, "allmine")).toBe(true);
    expect(compare(GO.slice(0, 59), "allmine")).toBe(false);
  });

  it("bcrypt - agrees with libxcrypt (Python's crypt) on cost, UTF-8, empty and 72-byte passwords", () => {
    // python3 -c "import crypt; print(crypt.crypt(PASSWORD, '$2b$04$XajjQvNhvvRt5GSeFk1xFe'))"
    const long = "$2b$04$XajjQvNhvvRt5GSeFk1xFee4hU08UPEhSBtx4WyijWjzm9SY8.FjK";
    expect(compare(long, "x".repeat(72))).toBe(true);
    expect(compare(long, "x".repeat(73))).toBe(true); // bytes past the 72nd do not count
    expect(compare(long, "x".repeat(71))).toBe(false);
    expect(compare("$2b$04$XajjQvNhvvRt5GSeFk1xFe7CKaVvlkQZEhFEVjPDzHMC4Frpzq/3a", "pässwörd")).toBe(true);
    expect(compare("$2b$04$XajjQvNhvvRt5GSeFk1xFeTtPpF3Ti5fvHmqa4Lx267vxp.wBnNf2", "")).toBe(true);
    expect(compare("$2b$04$XajjQvNhvvRt5GSeFk1xFeE6V5emWVi4ewiFJVxjXKcjzBSbnc3/W", "a")).toBe(true);
    expect(compare("$2b$05$abcdefghijklmnopqrstuuZVEMa1pjhlynBQ1qXmSvGBJpN9h1w8G", "pässwörd")).toBe(true);
  });

  it("bcrypt - compares raw bytes, not only UTF-8 text", () => {
    expect(compare(GO, new Uint8Array([0xff, 0xfe]))).toBe(false);
    expect(compare(GO, utf8Encode("allmine"))).toBe(true);
  });

  it("bcrypt - refuses what is not a bcrypt hash with x/crypto's text", () => {
    expect(errorOf("$2a$10$fooo")).toBe("crypto/bcrypt: hashedSecret too short to be a bcrypted password");
    expect(errorOf("")).toBe("crypto/bcrypt: hashedSecret too short to be a bcrypted password");
    const body = "sssssssssssssssssssssshhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh";
    expect(errorOf(`$3a$10$${body}`)).toBe(
      "crypto/bcrypt: bcrypt algorithm version '3' requested is newer than current version '2'",
    );
    expect(errorOf(`%2a$10$${body}`)).toBe(
      "crypto/bcrypt: bcrypt hashes must start with '$', but hashedSecret started with '%'",
    );
    expect(errorOf(`$2a$32$${body}`)).toBe("crypto/bcrypt: cost 32 is outside allowed inclusive range 4..31");
    expect(errorOf(`$2a$-1$${body}`)).toBe("crypto/bcrypt: cost -1 is outside allowed inclusive range 4..31");
    expect(errorOf(`$2a$1x$${body}`)).toBe('strconv.Atoi: parsing "1x": invalid syntax');
    expect(errorOf(`$2a$10$ssss*sssssssssssssssss${body.slice(22)}`)).toBe(
      "illegal base64 data at input byte 4",
    );
  });
});

describe("bcrypt - compare_bcrypt", () => {
  it("compare_bcrypt - takes the hash from the message, and bytes as well as strings", () => {
    const m = msg(JSON.stringify({ hashed: GO, input: "allmine" }));
    expect(q("this.input.compare_bcrypt(this.hashed)", m)).toBe("true");
    expect(q("this.input.bytes().compare_bcrypt(this.hashed)", m)).toBe("true");
    expect(q('"nope".compare_bcrypt(this.hashed)', m)).toBe("false");
  });

  it("compare_bcrypt - errors are the plugin's own, not attributed to the target", () => {
    expect(qError(`this.n.compare_bcrypt("${GO}")`, msg('{"n":5}')).message).toBe(
      "expected string value, got number (5)",
    );
    expect(qError('"x".compare_bcrypt("$2a$10$fooo")').message).toBe(
      "crypto/bcrypt: hashedSecret too short to be a bcrypted password",
    );
  });
});
