const SLAB_SIZE = 256 * 1024;
const HEAD = Buffer.from("NATS/1.0\r\n");
const CRLF_BYTES = Buffer.from("\r\n");

/**
 * Builds header blocks — `NATS/1.0\r\n`, then `Name: value\r\n` per entry in order (names may
 * repeat), then `\r\n` — written as UTF-8 straight into a slab, one block after the other. A
 * block goes to nats-core's `publish` as an object whose `encode()` returns these bytes:
 * building a `MsgHdrsImpl` per message (key checks, a Map, `toString`, `TextEncoder`) costs
 * ~2 µs/msg, a third of the client's budget. A slab region is never written twice (a full slab
 * is replaced and lives on only while blocks in it do), and the client copies the bytes into its
 * outbound buffer anyway. The integration tests read every header back from a real stream, so a
 * change in the client would fail them.
 */
export class HeaderBuilder {
  readonly #prefix: Buffer;
  readonly #prefixCount: number;
  #buf = Buffer.allocUnsafe(SLAB_SIZE);
  #start = 0;
  #pos = 0;
  #count = 0;

  /** @param staticLines `Name: value\r\n` lines every block starts with (static headers) */
  constructor(staticLines = "") {
    this.#prefix = Buffer.concat([HEAD, Buffer.from(staticLines)]);
    this.#prefixCount = staticLines === "" ? 0 : 1;
  }

  /** The block of the static lines alone, or `undefined` without static lines; built once. */
  staticBlock(): Uint8Array | undefined {
    return this.#prefixCount === 0 ? undefined : Buffer.concat([this.#prefix, CRLF_BYTES]);
  }

  /** Starts a new block (the previous one, if unfinished, is abandoned). */
  begin(): void {
    this.#ensureFree(this.#prefix.length, true);
    this.#start = this.#pos;
    this.#pos = copyBytes(this.#prefix, this.#buf, this.#pos);
    this.#count = this.#prefixCount;
  }

  add(name: string, value: string): void {
    this.#ensureFree((name.length + value.length) * 3 + 4, false);
    const buf = this.#buf;
    let pos = writeText(buf, this.#pos, name);
    buf[pos++] = 0x3a; // :
    buf[pos++] = 0x20;
    pos = writeText(buf, pos, value);
    buf[pos++] = 0x0d;
    buf[pos++] = 0x0a;
    this.#pos = pos;
    this.#count++;
  }

  /**
   * Adds `head` (pre-encoded `Name: value-prefix`) followed by `n` in base 36 as one header line:
   * the generated `Nats-Msg-Id`, without building a string per message.
   */
  addCounter(head: Uint8Array, n: number): void {
    this.#ensureFree(head.length + 13, false);
    const buf = this.#buf;
    let pos = copyBytes(head, buf, this.#pos);
    const digitsStart = pos;
    do {
      const d = n % 36;
      buf[pos++] = d < 10 ? 0x30 + d : 0x57 + d; // 0-9, a-z
      n = Math.floor(n / 36);
    } while (n > 0);
    buf.subarray(digitsStart, pos).reverse();
    buf[pos++] = 0x0d;
    buf[pos++] = 0x0a;
    this.#pos = pos;
    this.#count++;
  }

  /** Finishes the block: its bytes, or `undefined` when it has no header at all. */
  end(): Uint8Array | undefined {
    if (this.#count === 0) {
      this.#pos = this.#start;
      return undefined;
    }
    this.#ensureFree(2, false);
    this.#buf[this.#pos++] = 0x0d;
    this.#buf[this.#pos++] = 0x0a;
    return new Uint8Array(this.#buf.buffer, this.#buf.byteOffset + this.#start, this.#pos - this.#start);
  }

  #ensureFree(n: number, atBlockStart: boolean): void {
    if (this.#pos + n <= this.#buf.length) return;
    const partial = atBlockStart ? 0 : this.#pos - this.#start;
    const next = Buffer.allocUnsafe(Math.max(SLAB_SIZE, (partial + n) * 2));
    if (partial > 0) this.#buf.copy(next, 0, this.#start, this.#pos);
    this.#buf = next;
    this.#start = 0;
    this.#pos = partial;
  }
}

/** Copies `src` into `dst` at `pos` and returns the end; a loop beats a native copy for headers. */
function copyBytes(src: Uint8Array, dst: Buffer, pos: number): number {
  const n = src.length;
  if (n > 128) {
    dst.set(src, pos);
    return pos + n;
  }
  for (let i = 0; i < n; i++) dst[pos + i] = src[i] as number;
  return pos + n;
}

/**
 * Writes `s` as UTF-8 at `pos` and returns the end. Short ASCII strings (all header names, most
 * values) are copied in a loop: `Buffer.write` is a native call that costs more than the copy.
 */
function writeText(buf: Buffer, pos: number, s: string): number {
  const n = s.length;
  if (n <= 64) {
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      buf[pos + i] = c;
    }
    if (i === n) return pos + n;
  }
  return pos + buf.write(s, pos);
}

// A header name is an HTTP token without ':' (RFC 7230 tchar); values may not break the line.
const NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const LINE_BREAK = /[\r\n]/;

/** Why `name` cannot be a header name, or `undefined` if it can. */
export function headerNameProblem(name: string): string | undefined {
  if (name === "") return "header name is empty";
  if (NAME.test(name)) return undefined;
  return `header name '${name.replace(/[\r\n]/g, (c) => (c === "\r" ? "\\r" : "\\n"))}' has characters other than letters, digits and !#$%&'*+-.^_\`|~`;
}

export function headerValueProblem(value: string): string | undefined {
  return LINE_BREAK.test(value) ? "header value contains CR or LF" : undefined;
}

/** Subject bytes that leave room in a 4096-byte `HPUB` line for the reply subject and sizes. */
export const MAX_SUBJECT_BYTES = 4000;

/**
 * Why `subject` cannot be published to, or `undefined`. Rejects what the server would drop or
 * misroute: empty, over {@link MAX_SUBJECT_BYTES}, whitespace, empty tokens (`a..b`, leading or
 * trailing `.`), wildcard tokens.
 */
export function subjectProblem(subject: string): string | undefined {
  if (subject === "") return "subject is empty";
  if (subject.length * 3 > MAX_SUBJECT_BYTES) {
    const bytes = Buffer.byteLength(subject);
    if (bytes > MAX_SUBJECT_BYTES) {
      return `subject is ${bytes} bytes, over ${MAX_SUBJECT_BYTES}: nats-server refuses protocol lines over 4096 bytes (max_control_line) and drops the connection`;
    }
  }
  let tokenStart = 0;
  for (let i = 0; i <= subject.length; i++) {
    const c = i < subject.length ? subject.charCodeAt(i) : 0x2e;
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a || c === 0x0c || c === 0x0b) {
      return `subject '${printable(subject)}' contains whitespace`;
    }
    if (c === 0x2e) {
      const len = i - tokenStart;
      if (len === 0) return `subject '${printable(subject)}' has an empty token`;
      if (len === 1) {
        const t = subject.charCodeAt(tokenStart);
        if (t === 0x2a || t === 0x3e) return `subject '${printable(subject)}' contains a wildcard token`;
      }
      tokenStart = i + 1;
    }
  }
  return undefined;
}

function printable(s: string): string {
  return s.replace(/[\r\n\t]/g, (c) => (c === "\r" ? "\\r" : c === "\n" ? "\\n" : "\\t"));
}
