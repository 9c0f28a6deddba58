import { natskitProject } from "../../vitest.shared.ts";

export default natskitProject("demo", { testTimeout: 120_000 });
