import { QueryError } from "./query-error.js";
import { compileRegexp } from "./regexp.js";
import { getNumber, getString, isObject, type Value, valuesEqual } from "./value.js";

/**
 * JSONPath as PaesslerAG/jsonpath evaluates it for the reference's `json_path`: `$`, `.key`,
 * `['key']`, `[n]`, `[*]`, `..`, unions, slices and `[?(…)]` filters with comparisons and
 * `&&`/`||`/`!`. A path with a wildcard, union, slice, filter or `..` gives an array of matches;
 * a definite path gives the value (and fails for a missing key).
 */
type Step =
  | { kind: "key"; keys: string[] }
  | { kind: "index"; indexes: number[] }
  | { kind: "wild" }
  | { kind: "slice"; start?: number; end?: number; step: number }
  | { kind: "filter"; expr: Expr }
  | { kind: "recurse" };

type Expr = (current: Value, root: Value) => Value | undefined;

const fail = (m: string) => new QueryError("INVALID_ARGUMENT", `evaluating json path expression: ${m}`);

class Parser {
  pos = 0;
  constructor(readonly s: string) {}

  ws(): void {
    while (this.s[this.pos] === " ") this.pos++;
  }

  path(rootChar: "$" | "@"): Step[] {
    if (this.s[this.pos] !== rootChar)
      throw fail(
        `parsing error: ${this.s}\t:1:${this.pos + 1} - unexpected ${JSON.stringify(this.s[this.pos] ?? "EOF")}`,
      );
    this.pos++;
    const steps: Step[] = [];
    for (;;) {
      const c = this.s[this.pos];
      if (c === "." && this.s[this.pos + 1] === ".") {
        this.pos += 2;
        steps.push({ kind: "recurse" });
        if (this.s[this.pos] === "[") continue;
        steps.push(this.name());
      } else if (c === ".") {
        this.pos++;
        steps.push(this.name());
      } else if (c === "[") {
        steps.push(this.bracket());
      } else return steps;
    }
  }

  name(): Step {
    if (this.s[this.pos] === "*") {
      this.pos++;
      return { kind: "wild" };
    }
    const m = /^[A-Za-z0-9_$-]+/.exec(this.s.slice(this.pos));
    if (!m) throw fail(`parsing error: ${this.s}\t:1:${this.pos + 1} - expected a name`);
    this.pos += m[0].length;
    return { kind: "key", keys: [m[0]] };
  }

  bracket(): Step {
    this.pos++;
    this.ws();
    let step: Step;
    const c = this.s[this.pos];
    if (c === "*") {
      this.pos++;
      step = { kind: "wild" };
    } else if (c === "?") {
      this.pos++;
      this.ws();
      if (this.s[this.pos] !== "(") throw fail("expected ( after ?");
      this.pos++;
      const expr = this.or();
      this.ws();
      if (this.s[this.pos] !== ")") throw fail("expected ) closing the filter");
      this.pos++;
      step = { kind: "filter", expr };
    } else if (c === "'" || c === '"') {
      const keys = [this.str()];
      for (this.ws(); this.s[this.pos] === ","; this.ws()) {
        this.pos++;
        this.ws();
        keys.push(this.str());
      }
      step = { kind: "key", keys };
    } else {
      const m = /^\s*(-?\d*)\s*(?::\s*(-?\d*)\s*(?::\s*(-?\d*))?)?/.exec(
        this.s.slice(this.pos),
      ) as RegExpExecArray;
      if (m[0].includes(":")) {
        const n = (x: string | undefined) => (x === undefined || x === "" ? undefined : Number(x));
        step = { kind: "slice", start: n(m[1]), end: n(m[2]), step: n(m[3]) ?? 1 } as Step;
        this.pos += m[0].length;
      } else {
        const indexes: number[] = [];
        for (;;) {
          this.ws();
          const d = /^-?\d+/.exec(this.s.slice(this.pos));
          if (!d)
            throw fail(
              `parsing error: ${this.s}\t:1:${this.pos + 1} - unexpected ${JSON.stringify(this.s[this.pos] ?? "EOF")}`,
            );
          indexes.push(Number(d[0]));
          this.pos += d[0].length;
          this.ws();
          if (this.s[this.pos] !== ",") break;
          this.pos++;
        }
        step = { kind: "index", indexes };
      }
    }
    this.ws();
    if (this.s[this.pos] !== "]") throw fail(`parsing error: ${this.s}\t:1:${this.pos + 1} - expected ]`);
    this.pos++;
    return step;
  }

  str(): string {
    const q = this.s[this.pos] as string;
    let out = "";
    for (this.pos++; this.pos < this.s.length && this.s[this.pos] !== q; this.pos++) {
      if (this.s[this.pos] === "\\") this.pos++;
      out += this.s[this.pos];
    }
    if (this.s[this.pos] !== q) throw fail("unterminated string");
    this.pos++;
    return out;
  }

  or(): Expr {
    let left = this.and();
    for (this.ws(); this.s.startsWith("||", this.pos); this.ws()) {
      this.pos += 2;
      const l = left;
      const r = this.and();
      left = (c, root) => truthy(l(c, root)) || truthy(r(c, root));
    }
    return left;
  }

  and(): Expr {
    let left = this.cmp();
    for (this.ws(); this.s.startsWith("&&", this.pos); this.ws()) {
      this.pos += 2;
      const l = left;
      const r = this.cmp();
      left = (c, root) => truthy(l(c, root)) && truthy(r(c, root));
    }
    return left;
  }

  cmp(): Expr {
    const left = this.unary();
    this.ws();
    const op = /^(==|!=|<=|>=|<|>|=~)/.exec(this.s.slice(this.pos))?.[0];
    if (op === undefined) return left;
    this.pos += op.length;
    const right = this.unary();
    return (c, root) => compare(op, left(c, root), right(c, root));
  }

  unary(): Expr {
    this.ws();
    const c = this.s[this.pos];
    if (c === "!") {
      this.pos++;
      const e = this.unary();
      return (x, root) => !truthy(e(x, root));
    }
    if (c === "(") {
      this.pos++;
      const e = this.or();
      this.ws();
      if (this.s[this.pos] !== ")") throw fail("expected )");
      this.pos++;
      return e;
    }
    if (c === "@" || c === "$") {
      const steps = this.path(c);
      return (cur, root) => {
        const r = select(steps, c === "@" ? cur : root, root, false);
        return r.definite ? r.values[0] : r.values;
      };
    }
    if (c === "'" || c === '"') {
      const s = this.str();
      return () => s;
    }
    const lit = /^(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(this.s.slice(this.pos));
    if (!lit)
      throw fail(`parsing error: ${this.s}\t:1:${this.pos + 1} - unexpected ${JSON.stringify(c ?? "EOF")}`);
    this.pos += lit[0].length;
    const v: Value =
      lit[0] === "true" ? true : lit[0] === "false" ? false : lit[0] === "null" ? null : Number(lit[0]);
    return () => v;
  }
}

function truthy(v: Value | undefined): boolean {
  return v !== undefined && v !== null && v !== false;
}

function compare(op: string, a: Value | undefined, b: Value | undefined): boolean {
  if (a === undefined || b === undefined) return op === "!=";
  const na = getNumber(a);
  const nb = getNumber(b);
  if (na !== undefined && nb !== undefined) {
    switch (op) {
      case "==":
        return na === nb;
      case "!=":
        return na !== nb;
      case "<":
        return na < nb;
      case ">":
        return na > nb;
      case "<=":
        return na <= nb;
      case ">=":
        return na >= nb;
    }
  }
  const sa = getString(a);
  const sb = getString(b);
  if (op === "=~" && sa !== undefined && sb !== undefined) return compileRegexp(sb).matchString(sa);
  if (sa !== undefined && sb !== undefined && op !== "==" && op !== "!=") {
    return op === "<" ? sa < sb : op === ">" ? sa > sb : op === "<=" ? sa <= sb : sa >= sb;
  }
  const eq = valuesEqual(a, b);
  return op === "==" ? eq : op === "!=" ? !eq : false;
}

function children(v: Value): Value[] {
  if (Array.isArray(v)) return v;
  if (isObject(v))
    return Object.keys(v)
      .sort()
      .map((k) => v[k] as Value);
  return [];
}

function select(
  steps: readonly Step[],
  start: Value,
  root: Value,
  strict: boolean,
): { definite: boolean; values: Value[] } {
  let nodes: Value[] = [start];
  let definite = true;
  for (const step of steps) {
    const next: Value[] = [];
    switch (step.kind) {
      case "key":
        if (step.keys.length > 1) definite = false;
        for (const n of nodes) {
          for (const k of step.keys) {
            if (isObject(n) && Object.hasOwn(n, k)) next.push(n[k] as Value);
            else if (strict && definite) throw new QueryError("FAILED", `unknown key ${k}`);
          }
        }
        break;
      case "index":
        if (step.indexes.length > 1) definite = false;
        for (const n of nodes) {
          if (!Array.isArray(n)) {
            if (strict && definite)
              throw new QueryError(
                "FAILED",
                `unsupported value type ${typeName(n)} for select, expected array`,
              );
            continue;
          }
          for (const i of step.indexes) {
            const j = i < 0 ? n.length + i : i;
            if (j >= 0 && j < n.length) next.push(n[j] as Value);
            else if (strict && definite) throw new QueryError("FAILED", `index ${i} out of bounds`);
          }
        }
        break;
      case "wild":
        definite = false;
        for (const n of nodes) next.push(...children(n));
        break;
      case "slice":
        definite = false;
        for (const n of nodes) {
          if (!Array.isArray(n)) continue;
          const len = n.length;
          const norm = (x: number | undefined, d: number) =>
            x === undefined ? d : x < 0 ? Math.max(len + x, 0) : Math.min(x, len);
          const from = norm(step.start, 0);
          const to = norm(step.end, len);
          for (let i = from; i < to; i += Math.max(1, step.step)) next.push(n[i] as Value);
        }
        break;
      case "filter":
        definite = false;
        for (const n of nodes) for (const c of children(n)) if (truthy(step.expr(c, root))) next.push(c);
        break;
      case "recurse": {
        definite = false;
        const walk = (v: Value) => {
          next.push(v);
          for (const c of children(v)) if (Array.isArray(c) || isObject(c)) walk(c);
        };
        for (const n of nodes) walk(n);
        break;
      }
    }
    nodes = next;
  }
  return { definite, values: nodes };
}

function typeName(v: Value): string {
  return v === null ? "<nil>" : typeof v;
}

/** Compiles a JSONPath expression; throws a {@link QueryError} for invalid syntax. */
export function compileJSONPath(expression: string): (v: Value) => Value {
  const p = new Parser(expression.trim());
  const steps = p.path("$");
  if (p.pos !== p.s.length)
    throw fail(`parsing error: ${expression}\t:1:${p.pos + 1} - unexpected ${JSON.stringify(p.s[p.pos])}`);
  return (v) => {
    const r = select(steps, v, v, true);
    return r.definite ? (r.values[0] ?? null) : r.values;
  };
}
