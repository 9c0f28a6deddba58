import { loadExtended } from "../load-extended.js";
import { Closure } from "../node.js";
import { QueryError } from "../query-error.js";
import { type FunctionImpl, functionsIn, p } from "../registry.js";

/** Fake data (Redpanda Connect's `fake()`, a go-faker front); generators in ../fake.ts. */
export function fakeFunctions(): FunctionImpl[] {
  return functionsIn("Fake Data Generation", [
    {
      name: "fake",
      params: p([{ name: "function", type: "string", default: "" }]),
      ctor: (args) => {
        const name = args.str("function");
        // The generators and their word lists are loaded when a fake() is first compiled.
        const generate = loadExtended().fakeGenerator(name);
        // An unknown name fails when evaluated, not when compiled, as in the reference.
        return new Closure("function fake", () => {
          if (generate === undefined) throw new QueryError("FAILED", `invalid faker function: ${name}`);
          return generate();
        });
      },
    },
  ]);
}
