import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";
import { createLogger } from "./log.js";
import { lines, readInput } from "./run.js";

const log = createLogger({ level: "error" }, () => {});
const OUTPUT = `output:\n  nats_jetstream:\n    urls: [nats://127.0.0.1:4222]\n    subject: a\n`;

async function read(input: string, opts: { stdin?: Readable; signal?: AbortSignal } = {}): Promise<string[]> {
  const { plan, problems } = loadConfig(`input:\n${input}\n${OUTPUT}`, {});
  if (!plan) throw new Error(JSON.stringify(problems));
  const out: string[] = [];
  for await (const m of readInput(plan.input, { log, ...opts })) out.push(m.text);
  return out;
}

describe("inputs", () => {
  it("demo - generate evaluates the content template per message", async () => {
    expect(
      await read(`  generate:\n    count: 3\n    interval: ""\n    content: '{"id":\${! counter() }}'`),
    ).toEqual(['{"id":1}', '{"id":2}', '{"id":3}']);
  });

  it("demo - generate runs a Redpanda Connect mapping on an empty message", async () => {
    const out = await read(`  generate:\n    count: 2\n    interval: ""\n    mapping: 'root.kind = "tick"'`);
    expect(out.map((t) => JSON.parse(t))).toEqual([{ kind: "tick" }, { kind: "tick" }]);
  });

  it("demo - generate skips a message its mapping deletes", async () => {
    expect(
      await read(`  generate:\n    count: 3\n    interval: ""\n    mapping: 'root = deleted()'`),
    ).toEqual([]);
  });

  it("demo - lines travel as bytes: invalid UTF-8, CRLF, a last line without newline, split chunks", async () => {
    const chunks = [
      Buffer.from([0x6f, 0x6b, 0x2d, 0xff]),
      Buffer.from([0xfe, 0x0a, 0x61, 0x0d, 0x0a, 0xe2, 0x82]),
      Buffer.from([0xac, 0x0a, 0x0a, 0x7a]),
    ];
    const got: number[][] = [];
    for await (const line of lines(Readable.from(chunks))) got.push([...line]);
    expect(got).toEqual([[0x6f, 0x6b, 0x2d, 0xff, 0xfe], [0x61], [0xe2, 0x82, 0xac], [], [0x7a]]);

    const { plan } = loadConfig(`input:\n  stdin: {}\n${OUTPUT}`, {});
    const messages = [];
    for await (const m of readInput(plan?.input as never, { log, stdin: Readable.from(chunks) }))
      messages.push(m);
    expect([...(messages[0]?.content ?? [])]).toEqual([0x6f, 0x6b, 0x2d, 0xff, 0xfe]);
    expect(messages).toHaveLength(4);
  });

  it("demo - stdin yields one message per non-empty line", async () => {
    const stdin = Readable.from(["a\nb\n", "\nc"]);
    expect(await read("  stdin: {}", { stdin })).toEqual(["a", "b", "c"]);
  });

  it("demo - an aborted signal stops an unlimited generate", async () => {
    const controller = new AbortController();
    const { plan } = loadConfig(
      `input:\n  generate:\n    count: 0\n    interval: ""\n    content: x\n${OUTPUT}`,
      {},
    );
    let n = 0;
    for await (const _ of readInput(plan!.input, { log, signal: controller.signal })) {
      if (++n === 1000) controller.abort();
    }
    expect(n).toBe(1000);
  });
});
