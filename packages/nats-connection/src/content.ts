/**
 * A `*_file` field that holds the secret itself (a seed pasted into `nkey_file`, a PEM into
 * `key_file`) must not be echoed as "cannot read '<value>'": these tell such values apart from
 * paths, which are quoted as usual.
 */
export function looksLikeFileContent(value: string): boolean {
  return (
    value.length > 512 ||
    /[\r\n]/.test(value) ||
    value.includes("-----BEGIN") ||
    /^S[UAO][A-Z2-7]{40,}$/.test(value.trim())
  );
}

const WHAT: Record<string, string> = {
  nkey_file: "a seed itself: use auth.nkey instead, or paste it into a file",
  user_credentials_file:
    "the content of a creds file: paste it into a file, or use auth.user_jwt and auth.user_nkey_seed",
  key_file: "the key itself: use key instead, or paste it into a file",
  cert_file: "the certificate itself: use cert instead, or paste it into a file",
  root_cas_file: "the certificates themselves: use tls.root_cas instead, or paste them into a file",
};

/** The message for a `*_file` value that is content, not a path; it never contains the value. */
export function notAPathMessage(field: string): string {
  return `the value is not a file path (it looks like ${WHAT[field] ?? "file content: paste it into a file"})`;
}
