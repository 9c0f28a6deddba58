import { QueryError } from "./query-error.js";
import {
  GoFloat,
  getNumber,
  isObject,
  JsonNumber,
  newObject,
  Timestamp,
  timestampToString,
  utf8Decode,
  utf8Encode,
  type Value,
} from "./value.js";

/**
 * MessagePack as vmihailenco/msgpack v5 writes Go values: int64 in nine bytes (`0xd3`), float64
 * in nine (`0xcb`), strings as str, bytes as bin, maps with string keys (sorted here; Go's map
 * order is random).
 */
export function encodeMsgpack(v: Value): Uint8Array {
  const out: number[] = [];
  const u = (n: number, bytes: number) => {
    for (let i = bytes - 1; i >= 0; i--) out.push(Math.floor(n / 2 ** (8 * i)) & 0xff);
  };
  const len = (
    n: number,
    fix: number | undefined,
    fixMax: number,
    c8: number | undefined,
    c16: number,
    c32: number,
  ) => {
    if (fix !== undefined && n <= fixMax) out.push(fix | n);
    else if (c8 !== undefined && n < 0x100) out.push(c8, n);
    else if (n < 0x10000) {
      out.push(c16);
      u(n, 2);
    } else {
      out.push(c32);
      u(n, 4);
    }
  };
  const enc = (x: Value): void => {
    if (x === null) out.push(0xc0);
    else if (x === true) out.push(0xc3);
    else if (x === false) out.push(0xc2);
    else if (typeof x === "bigint") {
      out.push(0xd3);
      const b = new DataView(new ArrayBuffer(8));
      b.setBigInt64(0, x);
      out.push(...new Uint8Array(b.buffer));
    } else if (x instanceof JsonNumber && /^-?\d+$/.test(x.text)) enc(BigInt(x.text));
    else if (typeof x === "number" || x instanceof GoFloat || x instanceof JsonNumber) {
      out.push(0xcb);
      const b = new DataView(new ArrayBuffer(8));
      b.setFloat64(0, getNumber(x) as number);
      out.push(...new Uint8Array(b.buffer));
    } else if (typeof x === "string" || x instanceof Timestamp) {
      const b = utf8Encode(typeof x === "string" ? x : timestampToString(x));
      len(b.length, 0xa0, 31, 0xd9, 0xda, 0xdb);
      out.push(...b);
    } else if (x instanceof Uint8Array) {
      len(x.length, undefined, 0, 0xc4, 0xc5, 0xc6);
      out.push(...x);
    } else if (Array.isArray(x)) {
      len(x.length, 0x90, 15, undefined, 0xdc, 0xdd);
      for (const e of x) enc(e);
    } else if (isObject(x)) {
      const keys = Object.keys(x).sort();
      len(keys.length, 0x80, 15, undefined, 0xde, 0xdf);
      for (const k of keys) {
        enc(k);
        enc(x[k] as Value);
      }
    } else throw new QueryError("FAILED", `msgpack: Encode(unsupported ${typeof x})`);
  };
  enc(v);
  return Uint8Array.from(out);
}

/** `msgpack.Unmarshal` into `any`: integers are int64 (uint64 above its range), floats float64. */
export function decodeMsgpack(b: Uint8Array): Value {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let pos = 0;
  const need = (n: number) => {
    if (pos + n > b.length) throw new QueryError("FAILED", "EOF");
  };
  const u = (n: number): number => {
    need(n);
    let r = 0;
    for (let i = 0; i < n; i++) r = r * 256 + (b[pos++] as number);
    return r;
  };
  const str = (n: number): string => {
    need(n);
    const s = utf8Decode(b.subarray(pos, pos + n));
    pos += n;
    return s;
  };
  const bin = (n: number): Uint8Array => {
    need(n);
    const s = b.slice(pos, pos + n);
    pos += n;
    return s;
  };
  const arr = (n: number): Value[] => Array.from({ length: n }, () => dec());
  const map = (n: number): Value => {
    const o = newObject();
    for (let i = 0; i < n; i++) {
      const k = dec();
      o[typeof k === "string" ? k : String(k)] = dec();
    }
    return o;
  };
  const big = (signed: boolean): Value => {
    need(8);
    const v = signed ? view.getBigInt64(pos) : view.getBigUint64(pos);
    pos += 8;
    return v;
  };
  const dec = (): Value => {
    const c = u(1);
    if (c <= 0x7f) return BigInt(c);
    if (c >= 0xe0) return BigInt(c - 0x100);
    if (c >= 0xa0 && c <= 0xbf) return str(c & 0x1f);
    if (c >= 0x90 && c <= 0x9f) return arr(c & 0x0f);
    if (c >= 0x80 && c <= 0x8f) return map(c & 0x0f);
    switch (c) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
        return bin(u(1));
      case 0xc5:
        return bin(u(2));
      case 0xc6:
        return bin(u(4));
      case 0xca: {
        need(4);
        const f = view.getFloat32(pos);
        pos += 4;
        return new GoFloat(f);
      }
      case 0xcb: {
        need(8);
        const f = view.getFloat64(pos);
        pos += 8;
        return new GoFloat(f);
      }
      case 0xcc:
        return BigInt(u(1));
      case 0xcd:
        return BigInt(u(2));
      case 0xce:
        return BigInt(u(4));
      case 0xcf:
        return big(false);
      case 0xd0:
        return BigInt(BigInt.asIntN(8, BigInt(u(1))));
      case 0xd1:
        return BigInt.asIntN(16, BigInt(u(2)));
      case 0xd2:
        return BigInt.asIntN(32, BigInt(u(4)));
      case 0xd3:
        return big(true);
      case 0xd9:
        return str(u(1));
      case 0xda:
        return str(u(2));
      case 0xdb:
        return str(u(4));
      case 0xdc:
        return arr(u(2));
      case 0xdd:
        return arr(u(4));
      case 0xde:
        return map(u(2));
      case 0xdf:
        return map(u(4));
    }
    throw new QueryError("FAILED", `msgpack: unknown code ${c.toString(16)} when decoding interface{}`);
  };
  return dec();
}
