import { numbersToFloat, parseJSONValue } from "./json.js";
import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  cryptoSign,
  cryptoVerify,
  timingSafeEqual,
} from "./node-builtins.js";
import { QueryError } from "./query-error.js";
import { getNumber, isObject, toJSON, type Value, type ValueObject } from "./value.js";

/** The reference's JWT methods (golang-jwt v5): HMAC, RSA PKCS#1 v1.5 and ECDSA, SHA-2. */
export type JWTAlg = `${"HS" | "RS" | "ES"}${256 | 384 | 512}`;

type KeyObject = ReturnType<typeof createPublicKey>;

const b64url = (b: Uint8Array | string) => Buffer.from(b).toString("base64url");
const hash = (alg: JWTAlg) => `sha${alg.slice(2)}`;

function pemKey(kind: "public" | "private", pem: string): KeyObject {
  try {
    return kind === "public" ? createPublicKey(pem) : createPrivateKey(pem);
  } catch {
    throw new QueryError(
      "INVALID_ARGUMENT",
      `${kind === "private" ? "decoding signing_secret: " : ""}invalid key: Key must be a PEM encoded PKCS1 or PKCS8 key`,
    );
  }
}

function sign(alg: JWTAlg, key: Uint8Array | KeyObject, input: string): Buffer {
  if (alg.startsWith("HS"))
    return createHmac(hash(alg), key as Uint8Array)
      .update(input)
      .digest();
  return cryptoSign(hash(alg), Buffer.from(input), {
    key: key as KeyObject,
    ...(alg.startsWith("ES") ? { dsaEncoding: "ieee-p1363" as const } : {}),
  });
}

function verify(alg: JWTAlg, key: Uint8Array | KeyObject, input: string, sig: Buffer): boolean {
  if (alg.startsWith("HS")) {
    const want = sign(alg, key, input);
    return want.length === sig.length && timingSafeEqual(want, sig);
  }
  return cryptoVerify(
    hash(alg),
    Buffer.from(input),
    {
      key: key as KeyObject,
      ...(alg.startsWith("ES") ? { dsaEncoding: "ieee-p1363" as const } : {}),
    },
    sig,
  );
}

const IGNORED_HEADERS = new Set(["alg", "typ", "jku", "jwk", "x5u", "x5c", "x5t", "x5t#S256", "crit"]);

/** `sign_jwt_*`: signs an object of claims; custom headers join `alg` and `typ`. */
export function jwtSigner(
  alg: JWTAlg,
  secret: string,
  headers: Value | undefined,
): (claims: ValueObject) => string {
  const key = alg.startsWith("HS") ? Buffer.from(secret) : pemKey("private", secret);
  let extra: ValueObject = {};
  if (headers !== undefined && headers !== null) {
    if (!isObject(headers))
      throw new QueryError(
        "INVALID_ARGUMENT",
        `headers parameter must be an object (map), got ${typeof headers}`,
      );
    extra = Object.fromEntries(
      Object.entries(headers).filter(([k]) => !IGNORED_HEADERS.has(k)),
    ) as ValueObject;
  }
  const header = b64url(toJSON({ ...extra, alg, typ: "JWT" }));
  return (claims) => {
    const input = `${header}.${b64url(toJSON(claims))}`;
    return `${input}.${b64url(sign(alg, key, input))}`;
  };
}

/** `parse_jwt_*`: verifies the signature and the time claims, returns the claims. */
export function jwtParser(alg: JWTAlg, secret: string): (token: string) => Value {
  const key = alg.startsWith("HS") ? Buffer.from(secret) : pemKey("public", secret);
  const fail = (why: string) => new QueryError("FAILED", `parsing JWT string: ${why}`);
  return (token) => {
    const parts = token.split(".");
    if (parts.length !== 3) throw fail("token is malformed: token contains an invalid number of segments");
    const [h, c, s] = parts as [string, string, string];
    const header = decodeSegment(h, "header", fail);
    const claims = decodeSegment(c, "claims", fail);
    if (!isObject(header) || !isObject(claims)) throw fail("token is malformed: could not JSON decode claim");
    if (header.alg !== alg)
      throw fail(
        `token is unverifiable: error while executing keyfunc: incorrect signing method: ${String(header.alg ?? "<nil>")}`,
      );
    if (!verify(alg, key, `${h}.${c}`, Buffer.from(s, "base64url")))
      throw fail("token signature is invalid: signature is invalid");
    const now = Date.now() / 1000;
    const time = (k: string) => (claims[k] === undefined ? undefined : getNumber(claims[k] as Value));
    const exp = time("exp");
    if (exp !== undefined && now >= exp) throw fail("token has invalid claims: token is expired");
    const nbf = time("nbf");
    if (nbf !== undefined && now < nbf) throw fail("token has invalid claims: token is not valid yet");
    // `json.Unmarshal` into `jwt.MapClaims`: every number is a float64.
    return numbersToFloat(claims);
  };
}

function decodeSegment(seg: string, what: string, fail: (w: string) => QueryError): Value {
  if (!/^[A-Za-z0-9_-]*$/.test(seg)) throw fail(`token is malformed: could not base64 decode ${what}`);
  const r = parseJSONValue(Buffer.from(seg, "base64url").toString("utf8"));
  if (!r.ok) throw fail(`token is malformed: could not JSON decode ${what}`);
  return r.value;
}
