import { createCipheriv, createDecipheriv, createHash } from "./node-builtins.js";
import { QueryError } from "./query-error.js";

const SCHEMES = ["ctr", "gcm", "ofb", "cbc"];

/** The reference's `encrypt_aes` / `decrypt_aes`: AES in one of four modes, no padding. */
export function aesCipher(
  direction: "encrypt" | "decrypt",
  scheme: string,
  key: Uint8Array,
  iv: Uint8Array,
): (b: Uint8Array) => Uint8Array {
  if (![16, 24, 32].includes(key.length))
    throw new QueryError("INVALID_ARGUMENT", `crypto/aes: invalid key size ${key.length}`);
  if (!SCHEMES.includes(scheme))
    throw new QueryError("INVALID_ARGUMENT", `unrecognized ${direction}ion type: ${scheme}`);
  if (scheme !== "gcm" && iv.length !== 16)
    throw new QueryError("INVALID_ARGUMENT", "the key must match the initialisation vector size");
  const alg = `aes-${key.length * 8}-${scheme}`;
  return (b) => {
    if (scheme === "cbc" && b.length % 16 !== 0) {
      throw new QueryError(
        "FAILED",
        direction === "encrypt"
          ? "plaintext is not a multiple of the block size"
          : "ciphertext is not a multiple of the block size",
      );
    }
    if (scheme === "gcm" && iv.length !== 12)
      throw new QueryError("FAILED", "crypto/cipher: incorrect nonce length given to GCM");
    if (direction === "encrypt") {
      const c = createCipheriv(alg, key, iv);
      if (scheme === "cbc") c.setAutoPadding(false);
      const out = Buffer.concat([c.update(b), c.final()]);
      return scheme === "gcm"
        ? Buffer.concat([out, (c as unknown as { getAuthTag(): Buffer }).getAuthTag()])
        : out;
    }
    let data = b;
    const d = createDecipheriv(alg, key, iv);
    if (scheme === "cbc") d.setAutoPadding(false);
    if (scheme === "gcm") {
      if (b.length < 16)
        throw new QueryError("FAILED", "gcm decrypting failed: cipher: message authentication failed");
      (d as unknown as { setAuthTag(t: Uint8Array): void }).setAuthTag(b.subarray(b.length - 16));
      data = b.subarray(0, b.length - 16);
    }
    try {
      return Buffer.concat([d.update(data), d.final()]);
    } catch {
      throw new QueryError("FAILED", "gcm decrypting failed: cipher: message authentication failed");
    }
  };
}

const NAMESPACES: Record<string, string> = {
  dns: "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
  url: "6ba7b811-9dad-11d1-80b4-00c04fd430c8",
  oid: "6ba7b812-9dad-11d1-80b4-00c04fd430c8",
  x500: "6ba7b814-9dad-11d1-80b4-00c04fd430c8",
};

/** RFC 9562 UUID version 5 (SHA-1 of namespace and name), as gofrs/uuid `NewV5`. */
export function uuidV5(ns: string | undefined, name: Uint8Array): string {
  let nsText = "00000000-0000-0000-0000-000000000000";
  if (ns !== undefined) {
    const known = NAMESPACES[ns] ?? (ns === ns.toUpperCase() ? NAMESPACES[ns.toLowerCase()] : undefined);
    const parsed = known ?? parseUUID(ns);
    if (parsed === undefined) throw new QueryError("FAILED", `invalid ns uuid: ${JSON.stringify(ns)}`);
    nsText = parsed;
  }
  const h = createHash("sha1")
    .update(Buffer.from(nsText.replaceAll("-", ""), "hex"))
    .update(name)
    .digest();
  h[6] = ((h[6] as number) & 0x0f) | 0x50;
  h[8] = ((h[8] as number) & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** gofrs `FromString`: canonical, braced, `urn:uuid:` or 32 hex digits. */
function parseUUID(s: string): string | undefined {
  let t = s;
  if (t.toLowerCase().startsWith("urn:uuid:")) t = t.slice(9);
  else if (t.startsWith("{") && t.endsWith("}")) t = t.slice(1, -1);
  if (/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(t))
    return t.toLowerCase();
  if (/^[0-9a-fA-F]{32}$/.test(t)) {
    const h = t.toLowerCase();
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  return undefined;
}
