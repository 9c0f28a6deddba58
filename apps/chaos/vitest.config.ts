import { natskitProject } from "../../vitest.shared.ts";

export default natskitProject("chaos", { testTimeout: 600_000 });
