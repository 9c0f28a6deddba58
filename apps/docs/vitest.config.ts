import { natskitProject } from "../../vitest.shared.ts";

// A snippet runs in its own process (about a second with tsx) and some start a TLS or operator server.
export default natskitProject("docs", { testTimeout: 60_000 });
