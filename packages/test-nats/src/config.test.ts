import { describe, expect, it } from "vitest";
import { type ConfigInput, renderConfig } from "./config.js";
import { TestNatsError } from "./errors.js";

const base: ConfigInput = {
  clientPort: -1,
  portsDir: "/tmp/x/ports",
  serverName: "s1",
  jetstream: true,
  storeDir: "/tmp/x/js",
};

describe("config", () => {
  it("config - plain config listens on loopback with a ports file and a JetStream store", () => {
    const c = renderConfig(base);
    expect(c).toContain('listen: "127.0.0.1:-1"');
    expect(c).toContain('ports_file_dir: "/tmp/x/ports"');
    expect(c).toContain('jetstream {\n  store_dir: "/tmp/x/js"\n}');
    expect(c).not.toContain("http:");
    expect(renderConfig({ ...base, jetstream: false })).not.toContain("jetstream");
  });

  it("config - quotes passwords and tokens so any character survives", () => {
    const c = renderConfig({ ...base, auth: { users: [{ user: "a b", password: 'p"a}ss\\' }] } });
    expect(c).toContain('{ user: "a b", password: "p\\"a}ss\\\\" }');
    expect(renderConfig({ ...base, auth: { token: "t#k" } })).toContain('token: "t#k"');
  });

  it("config - cluster block lists every route", () => {
    const c = renderConfig({ ...base, cluster: { name: "c1", port: 6222, routes: [6222, 6223] } });
    expect(c).toContain('listen: "127.0.0.1:6222"');
    expect(c).toContain('routes: ["nats-route://127.0.0.1:6222", "nats-route://127.0.0.1:6223"]');
  });

  it("config - rejects empty or malformed auth", () => {
    expect(() => renderConfig({ ...base, auth: { users: [] } })).toThrow(TestNatsError);
    expect(() => renderConfig({ ...base, auth: { token: "" } })).toThrow("auth.token: empty token");
    expect(() => renderConfig({ ...base, auth: { nkeys: ["SUABC"] } })).toThrow("auth.nkeys: 'SUABC'");
  });
});
