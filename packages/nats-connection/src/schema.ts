import type { RawAuthConfig, RawClientCert, RawConnectionConfig, RawTlsConfig } from "./types.js";
import { type Infer, v } from "./validate.js";

// The Redpanda Connect field names, verbatim (snake_case). Cross-field rules (one auth method,
// inline-or-file, PEM contents) live in config.ts so every problem is reported at once.

const str = () => v.optional(v.string());
const bool = () => v.optional(v.boolean());

export const clientCertSchema = v.object({
  cert: str(),
  key: str(),
  cert_file: str(),
  key_file: str(),
  password: str(),
});

export const tlsSchema = v.object({
  enabled: bool(),
  skip_cert_verify: bool(),
  enable_renegotiation: bool(),
  root_cas: str(),
  root_cas_file: str(),
  client_certs: v.optional(v.array(clientCertSchema)),
});

export const authSchema = v.object({
  nkey_file: str(),
  nkey: str(),
  user_credentials_file: str(),
  user_jwt: str(),
  user_nkey_seed: str(),
  user: str(),
  password: str(),
  token: str(),
});

/**
 * The connection fields every NATS component shares, as a schema shape. Components add their own
 * fields with `v.object({ ...connectionFields, bucket: v.string() })` and then pass the
 * parsed value to `normalizeConnectionConfig`.
 */
export const connectionFields = {
  // Optional: a `context` can give the urls; without one, config.ts reports `urls: required`.
  urls: v.optional(v.union(v.array(v.string()), v.string())),
  /** A nats CLI context, by name or path; read in config.ts. */
  context: str(),
  inbox_prefix: str(),
  max_reconnects: v.optional(v.int()),
  tls: v.optional(tlsSchema),
  tls_handshake_first: bool(),
  auth: v.optional(authSchema),
  // A duration (string or ms); checked in config.ts so the message says "duration".
  wait_on_first_connect: v.optional(v.unknown()),
};

export const connectionConfigSchema = v.object(connectionFields);

/** The connection fields after the schema: the input of the cross-field rules. */
export type ParsedConnectionFields = Infer<typeof connectionConfigSchema>;

// The public types are plain interfaces (types.ts), so the schemas stay out of the published API.
// These type-level checks keep their field names in step.
export type SameKeys<A, B> = [Exclude<keyof A, keyof B> | Exclude<keyof B, keyof A>] extends [never]
  ? true
  : false;
type Check<T extends true> = T;
export type SchemaInStep = Check<
  | SameKeys<RawConnectionConfig, Infer<typeof connectionConfigSchema>>
  | SameKeys<RawTlsConfig, Infer<typeof tlsSchema>>
  | SameKeys<RawAuthConfig, Infer<typeof authSchema>>
  | SameKeys<RawClientCert, Infer<typeof clientCertSchema>>
>;

/** Paths of the fields that hold secrets, relative to the connection config. `*` = any index. */
export const SECRET_PATHS: readonly (readonly (string | "*")[])[] = [
  ["auth", "nkey"],
  ["auth", "user_jwt"],
  ["auth", "user_nkey_seed"],
  ["auth", "password"],
  ["auth", "token"],
  ["tls", "root_cas"],
  ["tls", "client_certs", "*", "key"],
  ["tls", "client_certs", "*", "password"],
];

/** Paths of the fields that name files; a value that is the file's content is a secret. */
export const FILE_PATHS: readonly (readonly (string | "*")[])[] = [
  ["auth", "nkey_file"],
  ["auth", "user_credentials_file"],
  ["tls", "root_cas_file"],
  ["tls", "client_certs", "*", "cert_file"],
  ["tls", "client_certs", "*", "key_file"],
];
