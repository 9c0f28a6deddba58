import { z } from "zod";
import type { RawAuthConfig, RawClientCert, RawConnectionConfig, RawTlsConfig } from "./types.js";

// The Redpanda Connect field names, verbatim (snake_case). Cross-field rules (one auth method,
// inline-or-file, PEM contents) live in config.ts so every problem is reported at once.

const str = () => z.string();

export const clientCertSchema = z.strictObject({
  cert: str().optional(),
  key: str().optional(),
  cert_file: str().optional(),
  key_file: str().optional(),
  password: str().optional(),
});

export const tlsSchema = z.strictObject({
  enabled: z.boolean().optional(),
  skip_cert_verify: z.boolean().optional(),
  enable_renegotiation: z.boolean().optional(),
  root_cas: str().optional(),
  root_cas_file: str().optional(),
  client_certs: z.array(clientCertSchema).optional(),
});

export const authSchema = z.strictObject({
  nkey_file: str().optional(),
  nkey: str().optional(),
  user_credentials_file: str().optional(),
  user_jwt: str().optional(),
  user_nkey_seed: str().optional(),
  user: str().optional(),
  password: str().optional(),
  token: str().optional(),
});

/**
 * The connection fields every NATS component shares, as a zod shape. Components add their own
 * fields with `z.strictObject({ ...connectionFields, bucket: z.string() })` and then pass the
 * parsed value to `normalizeConnectionConfig`.
 */
export const connectionFields = {
  urls: z.union([z.array(str()), str()]),
  max_reconnects: z.int().optional(),
  tls: tlsSchema.optional(),
  tls_handshake_first: z.boolean().optional(),
  auth: authSchema.optional(),
  // A duration (string or ms); checked in config.ts so the message says "duration".
  wait_on_first_connect: z.unknown().optional(),
};

export const connectionConfigSchema = z.strictObject(connectionFields);

/** The connection fields after the schema: the input of the cross-field rules. */
export type ParsedConnectionFields = z.output<typeof connectionConfigSchema>;

// The public types are plain interfaces (types.ts), so zod stays out of the published API. These
// type-level checks keep their field names in step.
export type SameKeys<A, B> = [Exclude<keyof A, keyof B> | Exclude<keyof B, keyof A>] extends [never]
  ? true
  : false;
type Check<T extends true> = T;
export type SchemaInStep = Check<
  | SameKeys<RawConnectionConfig, z.input<typeof connectionConfigSchema>>
  | SameKeys<RawTlsConfig, z.input<typeof tlsSchema>>
  | SameKeys<RawAuthConfig, z.input<typeof authSchema>>
  | SameKeys<RawClientCert, z.input<typeof clientCertSchema>>
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
