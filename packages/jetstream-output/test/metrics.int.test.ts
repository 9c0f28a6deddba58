import { createMessage } from "@natskit/interpolation";
import { type NatsServer, startNatsServer } from "@natskit/test-nats";
import { ScrapeReader, metricValue as value } from "@natskit/test-nats/metrics";
import { type Histogram, MeterProvider } from "@opentelemetry/sdk-metrics";
import { afterEach, describe, expect, it } from "vitest";
import { JetStreamOutput, type OutputOptions, type RawOutputConfig } from "../src/index.js";
import { addStream, admin, Outputs } from "./helpers.js";

const outputs = new Outputs();
const servers: NatsServer[] = [];
const providers: MeterProvider[] = [];
afterEach(async () => {
  await outputs.closeAll();
  await Promise.all(servers.splice(0).map((s) => s.stop()));
  await Promise.all(providers.splice(0).map((p) => p.shutdown()));
});

function meter(): { reader: ScrapeReader; provider: MeterProvider } {
  const reader = new ScrapeReader();
  const provider = new MeterProvider({ readers: [reader] });
  providers.push(provider);
  return { reader, provider };
}

async function until(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function setup(config: Partial<RawOutputConfig> = {}, options: OutputOptions = {}) {
  const server = await startNatsServer();
  servers.push(server);
  const { nc, jsm } = await admin(server.url);
  await addStream(jsm, "EV", ["ev.>"]);
  await nc.close();
  const { reader, provider } = meter();
  const out = outputs.add(
    new JetStreamOutput(
      { urls: [server.url], ...config, subject: "ev.a" },
      { ...options, metrics: { meterProvider: provider, label: "events", ...options.metrics } },
    ),
  );
  return { server, reader, out };
}

describe("jetstream-output metrics", () => {
  it("jetstream-output - metrics: sent, received, duplicate, error by code and latency follow the writes", async () => {
    const { reader, out } = await setup({ msg_id: '${! meta("id") }' });
    await out.connect();
    for (let i = 0; i < 20; i++) await out.write(createMessage(`m${i}`, { metadata: { id: `id-${i}` } }));
    await out.write(createMessage("again", { metadata: { id: "id-3" } })); // a duplicate
    await expect(out.write(createMessage("no id"))).rejects.toMatchObject({ code: "INVALID_MSG_ID" });

    const s = await reader.scrape();
    const a = {
      label: "events",
      "messaging.system": "nats",
      "messaging.destination.template": "ev.a",
    };
    expect(value(s, "output_received", a)).toBe(22);
    expect(value(s, "output_sent", a)).toBe(21);
    expect(value(s, "output_duplicate", a)).toBe(1);
    expect(value(s, "output_error", { ...a, error_code: "INVALID_MSG_ID" })).toBe(1);
    expect(value(s, "output_retry", a)).toBe(0);
    expect(value(s, "output_connected", a)).toBe(1);
    expect(value(s, "output_connection_up", a)).toBe(1);
    expect(value(s, "output_in_flight", a)).toBe(0);
    expect(value(s, "output_held", a)).toBe(0);
    // sampled: at most one per 0.1 ms, and acks of one-at-a-time writes may come faster
    const latency = value(s, "output_latency_ns", a) as Histogram;
    expect(latency.count).toBeGreaterThanOrEqual(1);
    expect(latency.count).toBeLessThanOrEqual(21);
    expect(latency.min).toBeGreaterThan(0);
  });

  it("jetstream-output - metrics: an outage drops output_connected, holds messages, counts the loss; all recover", async () => {
    const { server, reader, out } = await setup();
    await out.connect();
    await out.write(createMessage("before"));
    await server.kill("SIGKILL");
    await until("the disconnect", async () => value(await reader.scrape(), "output_connected") === 0);

    const writes = Array.from({ length: 30 }, (_, i) => out.write(createMessage(`held-${i}`)));
    let s = await reader.scrape();
    expect(value(s, "output_held")).toBe(30);
    expect(value(s, "output_connection_lost")).toBe(1);

    await server.restart();
    await Promise.all(writes);
    s = await reader.scrape();
    expect(value(s, "output_connected")).toBe(1);
    expect(value(s, "output_held")).toBe(0);
    expect(value(s, "output_sent")).toBe(31);
    expect(value(s, "output_connection_up")).toBe(2);
  });

  it("jetstream-output - metrics: connect attempts that find no server count as output_connection_failed", async () => {
    const server = await startNatsServer();
    servers.push(server);
    const url = server.url;
    await server.kill("SIGKILL");
    const { reader, provider } = meter();
    const out = outputs.add(
      new JetStreamOutput({ urls: [url], subject: "ev.a" }, { metrics: { meterProvider: provider } }),
    );
    const connecting = out.connect();
    await until("two failed attempts", async () => {
      const v = value(await reader.scrape(), "output_connection_failed");
      return typeof v === "number" && v >= 2;
    });
    expect(value(await reader.scrape(), "output_connected", { label: "nats_jetstream" })).toBe(0);
    await server.restart();
    await connecting;
    expect(value(await reader.scrape(), "output_connected")).toBe(1);
  });

  it("jetstream-output - metrics: the scrape after close() reports the final values; enabled: false reports nothing", async () => {
    const { reader, out } = await setup();
    await out.connect();
    await out.write(createMessage("x"));
    let s = await reader.scrape();
    expect(value(s, "output_sent")).toBe(1);
    expect(value(s, "output_connected")).toBe(1);
    await out.close();
    s = await reader.scrape();
    expect(value(s, "output_sent")).toBe(1);
    expect(value(s, "output_connected")).toBe(0);

    const { reader: r2, out: off } = await setup({}, { metrics: { enabled: false } });
    await off.connect();
    await off.write(createMessage("y"));
    expect((await r2.scrape()).size).toBe(0);
  });
});
