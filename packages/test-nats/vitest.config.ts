import { natskitProject } from "../../vitest.shared.ts";

export default natskitProject("test-nats");
