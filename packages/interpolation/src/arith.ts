import { type Ctx, LazyAnnotated, Literal, type Node } from "./node.js";
import { errFrom, MismatchErr, QueryError, typeError } from "./query-error.js";
import {
  GoFloat,
  getBool,
  getInt,
  getNumber,
  getString,
  isNullish,
  JsonNumber,
  restrictForComparison,
  sanitize,
  typeOf,
  type Value,
  valuesEqual,
  wrapInt,
} from "./value.js";

export type Op = "+" | "-" | "/" | "*" | "%" | "==" | "!=" | ">" | ">=" | "<" | "<=" | "&&" | "||" | "|";

/** Operator tokens in the order the reference tries them (longest first where it matters). */
export const OP_TOKENS: readonly Op[] = [
  "+",
  "-",
  "/",
  "*",
  "%",
  "&&",
  "||",
  "==",
  "!=",
  ">=",
  "<=",
  ">",
  "<",
  "|",
];

function opName(op: Op): string {
  switch (op) {
    case "+":
      return "add";
    case "-":
      return "subtract";
    case "/":
      return "divide";
    case "*":
      return "multiply";
    case "%":
      return "modulo";
    case "&&":
      return "boolean and";
    case "||":
      return "boolean or";
    case "|":
      return "coalesce";
    default:
      return "compare";
  }
}

type OpFn = (lFn: Node, rFn: Node, left: Value, right: Value) => Value;

function mismatch(op: Op, lFn: Node, rFn: Node, left: Value, right: Value): MismatchErr {
  return new MismatchErr(opName(op), typeOf(left), lFn.annotation, typeOf(right), rFn.annotation);
}

/** `arithmeticFunc`: folds two literals at parse time, otherwise evaluates both sides per message. */
function arithmeticNode(lhs: Node, rhs: Node, op: OpFn): Node {
  if (lhs instanceof Literal && rhs instanceof Literal) {
    return new Literal(op(lhs, rhs, lhs.value, rhs.value), rhs.annotation);
  }
  return new LazyAnnotated(
    () => rhs.annotation,
    (ctx: Ctx) => {
      const l = lhs.exec(ctx);
      const r = rhs.exec(ctx);
      return op(lhs, rhs, l, r);
    },
  );
}

type NumResult<T> = (l: T, r: T) => Value;

/** `numberDegradationFunc`: float if either side is a float, else int64 (wrapping). */
function numberDegradation(op: Op, iFn: NumResult<bigint>, fFn: NumResult<number>): OpFn {
  return (lFn, rFn, left0, right0) => {
    const left = sanitize(left0);
    const right = sanitize(right0);
    if (left instanceof GoFloat) {
      const r = getNumber(right);
      if (r === undefined) throw mismatch(op, lFn, rFn, left, right);
      return fFn(left.f, r);
    }
    if (right instanceof GoFloat) {
      const l = getNumber(left);
      if (l === undefined) throw mismatch(op, lFn, rFn, left, right);
      return fFn(l, right.f);
    }
    if (typeof left === "bigint") {
      const r = getInt(right);
      if (r === undefined) throw mismatch(op, lFn, rFn, left, right);
      return iFn(left, r);
    }
    if (typeof right === "bigint") {
      const l = getInt(left);
      if (l === undefined) throw mismatch(op, lFn, rFn, left, right);
      return iFn(l, right);
    }
    throw mismatch(op, lFn, rFn, left, right);
  };
}

const divideByZero = () => new QueryError("DIVIDE_BY_ZERO", "attempted to divide by zero");

function prodOp(op: Op): OpFn | undefined {
  switch (op) {
    case "*":
      return numberDegradation(
        op,
        (l, r) => wrapInt(l * r),
        (l, r) => new GoFloat(l * r),
      );
    case "/":
      return (lFn, rFn, left, right) => {
        const l = getNumber(left);
        if (l === undefined) throw mismatch(op, lFn, rFn, left, right);
        const r = getNumber(right);
        if (r === undefined) throw mismatch(op, lFn, rFn, left, right);
        if (r === 0) throw errFrom(divideByZero(), rFn.annotation);
        return new GoFloat(l / r);
      };
    case "%":
      return (lFn, rFn, left, right) => {
        const l = getInt(left);
        if (l === undefined) throw mismatch(op, lFn, rFn, left, right);
        const r = getInt(right);
        if (r === undefined) throw mismatch(op, lFn, rFn, left, right);
        if (r === 0n) throw errFrom(divideByZero(), rFn.annotation);
        return wrapInt(l % r);
      };
    default:
      return undefined;
  }
}

function isNumberKind(v: Value): boolean {
  return typeof v === "number" || typeof v === "bigint" || v instanceof GoFloat || v instanceof JsonNumber;
}

function sumOp(op: Op): OpFn | undefined {
  switch (op) {
    case "+": {
      const numberAdd = numberDegradation(
        op,
        (l, r) => wrapInt(l + r),
        (l, r) => new GoFloat(l + r),
      );
      return (lFn, rFn, left, right) => {
        if (isNumberKind(left)) return numberAdd(lFn, rFn, left, right);
        if (typeof left === "string" || left instanceof Uint8Array) {
          const l = getString(left) as string;
          const r = getString(right);
          if (r === undefined) throw mismatch(op, lFn, rFn, left, right);
          return l + r;
        }
        throw mismatch(op, lFn, rFn, left, right);
      };
    }
    case "-":
      return numberDegradation(
        op,
        (l, r) => wrapInt(l - r),
        (l, r) => new GoFloat(l - r),
      );
    default:
      return undefined;
  }
}

function cmp<T extends number | bigint | string>(op: Op, l: T, r: T): boolean {
  switch (op) {
    case "==":
      return l === r;
    case "!=":
      return l !== r;
    case ">":
      return l > r;
    case ">=":
      return l >= r;
    case "<":
      return l < r;
    default:
      return l <= r;
  }
}

function compareOp(op: Op): OpFn | undefined {
  if (!["==", "!=", ">", ">=", "<", "<="].includes(op)) return undefined;
  const generic = op === "==" || op === "!=";
  const num = numberDegradation(
    op,
    (l, r) => cmp(op, l, r),
    (l, r) => cmp(op, l, r),
  );
  const genericResult = (l: Value, r: Value) => (op === "==" ? valuesEqual(l, r) : !valuesEqual(l, r));
  return (lFn, rFn, left, right) => {
    const lhs = restrictForComparison(left);
    if (typeof lhs === "string") {
      const r = getString(right);
      if (r === undefined) {
        if (!generic) throw mismatch(op, lFn, rFn, left, right);
        return genericResult(lhs, restrictForComparison(right));
      }
      return cmp(op, lhs, r);
    }
    if (typeof lhs === "number") {
      try {
        return num(lFn, rFn, left, right);
      } catch (e) {
        if (!generic) throw e;
        return genericResult(lhs, restrictForComparison(right));
      }
    }
    if (typeof lhs === "boolean") {
      if (!generic) throw mismatch(op, lFn, rFn, left, right);
      const r = getBool(right);
      if (r === undefined) return genericResult(lhs, restrictForComparison(right));
      return op === "==" ? lhs === r : lhs !== r;
    }
    if (!generic) throw mismatch(op, lFn, rFn, left, right);
    return genericResult(left, right);
  };
}

function boolOf(v: Value): boolean {
  const b = getBool(v);
  if (b === undefined) throw typeError(v, "bool");
  return b;
}

function boolAnd(lhs: Node, rhs: Node): Node {
  return new LazyAnnotated(
    () => rhs.annotation,
    (ctx) => {
      if (!boolOf(lhs.exec(ctx))) return false;
      return boolOf(rhs.exec(ctx));
    },
  );
}

function boolOr(lhs: Node, rhs: Node): Node {
  return new LazyAnnotated(
    () => rhs.annotation,
    (ctx) => {
      if (boolOf(lhs.exec(ctx))) return true;
      return boolOf(rhs.exec(ctx));
    },
  );
}

function coalesce(lhs: Node, rhs: Node): Node {
  return new LazyAnnotated(
    () => rhs.annotation,
    (ctx) => {
      try {
        const v = lhs.exec(ctx);
        if (!isNullish(v)) return v;
      } catch (e) {
        if (!(e instanceof QueryError)) throw e;
      }
      return rhs.exec(ctx);
    },
  );
}

/**
 * `query.NewArithmeticExpression`: four left-to-right passes (`* / % |`, then `+ -`, then
 * comparisons, then `&& ||`). Throws {@link QueryError} when folding literals fails.
 */
export function newArithmetic(fns: readonly Node[], ops: readonly Op[]): Node {
  if (fns.length === 1 && ops.length === 0) return fns[0] as Node;
  let curFns = fns.slice();
  let curOps = ops.slice();
  const pass = (handle: (op: Op, l: Node, r: Node) => Node | undefined) => {
    const nf: Node[] = [curFns[0] as Node];
    const no: Op[] = [];
    curOps.forEach((op, i) => {
      const l = nf[nf.length - 1] as Node;
      const r = curFns[i + 1] as Node;
      const res = handle(op, l, r);
      if (res) nf[nf.length - 1] = res;
      else {
        nf.push(r);
        no.push(op);
      }
    });
    curFns = nf;
    curOps = no;
  };
  pass((op, l, r) => {
    const f = prodOp(op);
    if (f) return arithmeticNode(l, r, f);
    if (op === "|") return coalesce(l, r);
    return undefined;
  });
  if (curFns.length === 1) return curFns[0] as Node;
  pass((op, l, r) => {
    const f = sumOp(op);
    return f ? arithmeticNode(l, r, f) : undefined;
  });
  if (curFns.length === 1) return curFns[0] as Node;
  pass((op, l, r) => {
    const f = compareOp(op);
    return f ? arithmeticNode(l, r, f) : undefined;
  });
  if (curFns.length === 1) return curFns[0] as Node;
  pass((op, l, r) => {
    if (op === "&&") return boolAnd(l, r);
    if (op === "||") return boolOr(l, r);
    return undefined;
  });
  if (curFns.length === 1) return curFns[0] as Node;
  throw new QueryError("FAILED", `unresolved arithmetic operators (${curOps.join(" ")})`);
}

/** `-x`, parsed as `0 - x`. */
export function negate(fn: Node): Node {
  return newArithmetic([new Literal(0n), fn], ["-"]);
}
