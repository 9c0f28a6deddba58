import { Literal, Node } from "./node.js";
import { QueryError, toQueryError, typeError, WrapErr } from "./query-error.js";
import { getTimestamp } from "./timestamps.js";
import {
  getBool,
  getInt,
  getNumber,
  isObject,
  typeOf,
  utf8Decode,
  type Value,
  type ValueObject,
} from "./value.js";

/** Argument types of function and method parameters. */
export type ParamType =
  | "string"
  | "int"
  | "float"
  | "number"
  | "bool"
  | "timestamp"
  | "array"
  | "object"
  | "query"
  | "any";

/** One parameter of a function or method. */
export interface ParamDef {
  readonly name: string;
  readonly type: ParamType;
  /** Value used when the argument is omitted (makes the parameter optional). */
  readonly default?: Value;
  /** Optional without a default: the argument is `undefined` when omitted. */
  readonly optional?: boolean;
  /** The argument must be known at parse time. */
  readonly noDynamic?: boolean;
  /** For `query` parameters: a plain value is accepted and wrapped as a literal. */
  readonly scalarsToLiteral?: boolean;
}

/** Parameters of a function or method: named ones, or any number of nameless ones. */
export interface ParamsSpec {
  readonly variadic?: boolean;
  readonly params: readonly ParamDef[];
}

const TYPE_NAMES: Record<ParamType, string> = {
  string: "string",
  int: "integer",
  float: "float",
  number: "number",
  bool: "bool",
  timestamp: "timestamp",
  array: "array",
  object: "object",
  query: "query expression",
  any: "unknown",
};

class ArgError {
  constructor(readonly message: string) {}
}

/** `ParamDefinition.parseArgValue`. Throws {@link QueryError} when the value does not fit. */
function parseArgValue(def: ParamDef, v: Value | Node): Value | Node {
  const wrong = () =>
    new QueryError(
      "INVALID_ARGUMENT",
      `wrong argument type, expected ${TYPE_NAMES[def.type]}, got ${v instanceof Node ? "query expression" : typeOf(v)}`,
    );
  if (def.type === "query") {
    if (v instanceof Node) return v;
    if (def.scalarsToLiteral) return new Literal(v);
    throw wrong();
  }
  if (v instanceof Node) throw wrong();
  switch (def.type) {
    case "int": {
      const i = getInt(v);
      if (i === undefined) throw typeError(v, "number");
      return i;
    }
    case "float":
    case "number": {
      const n = getNumber(v);
      if (n === undefined) throw typeError(v, "number");
      return n;
    }
    case "string":
      if (typeof v === "string") return v;
      if (v instanceof Uint8Array) return utf8Decode(v);
      throw wrong();
    case "bool": {
      const b = getBool(v);
      if (b === undefined) throw typeError(v, "bool");
      return b;
    }
    case "timestamp":
      return getTimestamp(v);
    case "array":
      if (Array.isArray(v)) return v;
      throw wrong();
    case "object":
      if (isObject(v)) return v;
      throw wrong();
    default:
      return v;
  }
}

/** Parsed arguments of one function or method call. */
export class Args {
  constructor(
    readonly spec: ParamsSpec,
    /** Per parameter: a value, a query (dynamic or `query`-typed), or `undefined` if omitted. */
    readonly values: readonly (Value | Node | undefined)[],
    /** Indexes of arguments that must be evaluated per message. */
    readonly dynamic: readonly number[],
  ) {}

  private index(name: string): number {
    const i = this.spec.params.findIndex((p) => p.name === name);
    if (i < 0) throw new Error(`parameter ${name} not found`);
    return i;
  }

  /** The raw argument (value, query or `undefined`). */
  get(name: string): Value | Node | undefined {
    return this.values[this.index(name)];
  }

  value(name: string): Value {
    const v = this.get(name);
    if (v instanceof Node || v === undefined) return null;
    return v;
  }

  str(name: string): string {
    return this.get(name) as string;
  }

  optStr(name: string): string | undefined {
    return this.get(name) as string | undefined;
  }

  int(name: string): bigint {
    return this.get(name) as bigint;
  }

  optInt(name: string): bigint | undefined {
    return this.get(name) as bigint | undefined;
  }

  num(name: string): number {
    return this.get(name) as number;
  }

  optNum(name: string): number | undefined {
    return this.get(name) as number | undefined;
  }

  bool(name: string): boolean {
    return this.get(name) as boolean;
  }

  optBool(name: string): boolean | undefined {
    return this.get(name) as boolean | undefined;
  }

  query(name: string): Node {
    return this.get(name) as Node;
  }

  array(name: string): Value[] {
    return this.get(name) as Value[];
  }

  object(name: string): ValueObject {
    return this.get(name) as ValueObject;
  }

  /** All values of a variadic call. */
  rest(): Value[] {
    return this.values as Value[];
  }

  /** Evaluates the dynamic arguments (`ParsedParams.ResolveDynamic`). */
  resolve(ctx: Parameters<Node["exec"]>[0]): Args {
    const values = this.values.slice();
    for (const i of this.dynamic) {
      const def: ParamDef = this.spec.params[i] ?? { name: String(i), type: "any" };
      try {
        const v = (values[i] as Node).exec(ctx);
        values[i] = this.spec.variadic ? v : parseArgValue(def, v);
      } catch (e) {
        throw new WrapErr(`failed to extract input arg '${def.name}'`, toQueryError(e));
      }
    }
    return new Args(this.spec, values, []);
  }
}

/** A positional or named argument as the parser collected it. */
export type RawArg = { name: string | undefined; value: Node };

/**
 * `extractArgsParserResult` + `PopulateNameless` / `PopulateNamed`. Throws a plain string message
 * (wrapped by the caller into a parse error).
 */
export function populateArgs(spec: ParamsSpec, raw: readonly RawArg[]): Args {
  const named = new Map<string, Node>();
  const nameless: Node[] = [];
  for (const a of raw) {
    if (a.name !== undefined) {
      if (named.has(a.name)) throw new ArgError(`duplicate named arg: ${a.name}`);
      named.set(a.name, a.value);
    } else nameless.push(a.value);
  }
  if (nameless.length > 0 && named.size > 0) throw new ArgError("cannot mix named and nameless arguments");

  if (spec.variadic) {
    if (named.size > 0) throw new ArgError("named arguments are not supported");
    const values: (Value | Node)[] = [];
    const dynamic: number[] = [];
    nameless.forEach((n, i) => {
      if (n instanceof Literal) values.push(n.value);
      else {
        values.push(n);
        dynamic.push(i);
      }
    });
    return new Args(spec, values, dynamic);
  }

  const defs = spec.params;
  const values: (Value | Node | undefined)[] = new Array(defs.length).fill(undefined);
  const missing: string[] = [];

  const take = (def: ParamDef, i: number, given: Node | undefined): void => {
    let v: Value | Node;
    if (given !== undefined) v = given;
    else if ("default" in def) v = def.default as Value;
    else if (def.optional) return;
    else {
      missing.push(def.name);
      return;
    }
    if (v instanceof Literal && def.type !== "query") v = v.value;
    if (v instanceof Node && def.type !== "query") {
      values[i] = v;
      return;
    }
    try {
      values[i] = parseArgValue(def, v);
    } catch (e) {
      throw new ArgError(`field ${def.name}: ${toQueryError(e).message}`);
    }
  };

  if (named.size > 0) {
    defs.forEach((def, i) => {
      const given = named.get(def.name);
      named.delete(def.name);
      take(def, i, given);
    });
    if (named.size > 0) {
      const unexpected = [...named.keys()].sort();
      let options = "";
      if (missing.length === 1) options = `, did you mean ${missing[0]}?`;
      else if (missing.length > 1) options = `, expected ${missing.join(", ")}`;
      if (unexpected.length === 1) throw new ArgError(`unknown parameter ${unexpected[0]}${options}`);
      throw new ArgError(`unknown parameters ${unexpected.join(", ")}${options}`);
    }
  } else {
    if (nameless.length > defs.length) {
      throw new ArgError(`wrong number of arguments, expected ${defs.length}, got ${nameless.length}`);
    }
    defs.forEach((def, i) => {
      take(def, i, nameless[i]);
    });
  }
  if (missing.length === 1) throw new ArgError(`missing parameter: ${missing[0]}`);
  if (missing.length > 1) throw new ArgError(`missing parameters: ${missing.join(", ")}`);

  const dynamic: number[] = [];
  defs.forEach((def, i) => {
    if (def.type === "query") return;
    if (values[i] instanceof Node) {
      if (def.noDynamic) throw new ArgError(`param ${def.name} must not be dynamic`);
      dynamic.push(i);
    }
  });
  return new Args(spec, values, dynamic);
}

export { ArgError };
