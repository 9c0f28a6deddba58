import { natskitProject } from "../../vitest.shared.ts";

export default natskitProject("kv-cache");
