// A setup file of every test project (vitest.shared.ts). Silent unless scripts/test-node.sh set
// NATSKIT_EXPECT_NODE: then each test file first proves it runs on that Node.js version, and
// records the version it saw in NATSKIT_NODE_REPORT for the script to print.
import { appendFileSync } from "node:fs";

const expected = process.env.NATSKIT_EXPECT_NODE;
if (expected) {
  const report = process.env.NATSKIT_NODE_REPORT;
  if (report) appendFileSync(report, `${process.version}\n`);
  if (process.versions.node !== expected) {
    throw new Error(`tests run on Node.js ${process.version}, expected v${expected} (NATSKIT_EXPECT_NODE)`);
  }
}
