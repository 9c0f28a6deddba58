import { Closure } from "../node.js";
import { hostname } from "../node-builtins.js";
import { QueryError, toQueryError } from "../query-error.js";
import { type FunctionImpl, functionsIn, simpleFunction } from "../registry.js";
import { LOCAL, Timestamp, timestampToString } from "../value.js";

/** Nanoseconds since the epoch, as precise as the clock allows. */
export function nowNs(): bigint {
  const ms = performance.timeOrigin + performance.now();
  return BigInt(Math.floor(ms)) * 1000000n + BigInt(Math.floor((ms % 1) * 1e6));
}

function fileFunction(name: "file" | "file_rel"): FunctionImpl {
  return {
    name,
    params: {
      params: [
        { name: "path", type: "string" },
        { name: "no_cache", type: "bool", default: false },
      ],
    },
    impure: true,
    ctor: (args, cctx) => {
      const path = args.str("path");
      const read = (): Uint8Array => {
        try {
          return cctx.readFile(path);
        } catch (e) {
          const code = (e as { code?: string }).code;
          const reason =
            code === "ENOENT"
              ? "no such file or directory"
              : code === "EACCES"
                ? "permission denied"
                : code === "EISDIR"
                  ? "is a directory"
                  : toQueryError(e).message;
          throw new QueryError("INVALID_ARGUMENT", `open ${path}: ${reason}`, e);
        }
      };
      if (args.bool("no_cache")) return new Closure(`function ${name}`, () => read());
      const content = read();
      return new Closure(`function ${name}`, () => content);
    },
  };
}

/** Functions reading the process environment: variables, files, host name, clock. */
export function environmentFunctions(): FunctionImpl[] {
  return functionsIn("Environment", [
    {
      name: "env",
      params: {
        params: [
          { name: "name", type: "string" },
          { name: "no_cache", type: "bool", default: false },
        ],
      },
      impure: true,
      ctor: (args, cctx) => {
        const name = args.str("name");
        if (args.bool("no_cache")) return new Closure("function env", () => cctx.getEnv(name) ?? null);
        const v = cctx.getEnv(name);
        return new Closure("function env", () => v ?? null);
      },
    },
    fileFunction("file"),
    fileFunction("file_rel"),
    simpleFunction("hostname", () => hostname(), true),
    simpleFunction("now", () => timestampToString(new Timestamp(nowNs(), LOCAL)), true),
    simpleFunction("timestamp_unix", () => BigInt(Math.floor(Date.now() / 1000)), true),
    simpleFunction("timestamp_unix_milli", () => BigInt(Date.now()), true),
    simpleFunction("timestamp_unix_micro", () => nowNs() / 1000n, true),
    simpleFunction("timestamp_unix_nano", () => nowNs(), true),
  ]);
}
