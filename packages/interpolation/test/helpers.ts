import { createEnvironment, type Environment } from "../src/environment.js";
import type { InterpolationError, InterpolationParseError } from "../src/errors.js";
import { createMessage, type Message, type MessageInit } from "../src/message.js";
import { QueryError } from "../src/query-error.js";

/** One environment for tests; `env()` reads a fixed map, never the real process environment. */
export const testEnv: Environment = createEnvironment({ env: { TEST_VAR: "hello", EMPTY_VAR: "" } });

export function msg(content: string | Uint8Array = "", init?: MessageInit): Message {
  return createMessage(content, init);
}

/** Compiles and evaluates; returns the string or throws. */
export function run(text: string, m: Message = msg()): string {
  return testEnv.compile(text).evaluate(m);
}

/** Compiles and evaluates, expecting an evaluation error; returns it. */
export function runError(text: string, m: Message = msg()): InterpolationError {
  const r = testEnv.compile(text).tryString(m);
  if (r.ok) throw new Error(`expected an evaluation error for ${text}, got ${JSON.stringify(r.value)}`);
  return r.error;
}

/** Expects a parse error; returns it. */
export function parseError(text: string, env: Environment = testEnv): InterpolationParseError {
  const r = env.tryCompile(text);
  if (r.ok) throw new Error(`expected a parse error for ${JSON.stringify(text)}`);
  return r.error;
}

/** `${! q }` evaluated on a message. */
export function q(query: string, m: Message = msg()): string {
  return run(`\${! ${query} }`, m);
}

export function qError(query: string, m: Message = msg()): InterpolationError {
  return runError(`\${! ${query} }`, m);
}

/** Runs `fn`, which must throw a query error (what a helper module throws); returns its text. */
export function queryErrorText(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof QueryError)) throw e;
    return e.message;
  }
  throw new Error("expected a query error, got none");
}
