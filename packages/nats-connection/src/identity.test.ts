import type { Socket } from "node:net";
import type { PeerCertificate } from "node:tls";
import { describe, expect, it } from "vitest";
import { checkServerIdentity } from "./identity.js";

const cert = (subjectaltname: string) =>
  ({ subject: { CN: "natskit-test-server" }, subjectaltname }) as unknown as PeerCertificate;
/** As Node calls it: a method of the `tls.connect` options, which hold the dialled socket. */
const check = (remoteAddress: string | undefined, hostname: string, c: PeerCertificate, extra = {}) =>
  checkServerIdentity.call({ socket: { remoteAddress } as Socket, ...extra }, hostname, c);

describe("nats-connection server identity", () => {
  it("nats-connection - without a server name, the dialled IP address is checked against the IP SANs", () => {
    expect(check("10.0.0.5", "localhost", cert("IP Address:10.0.0.5"))).toBeUndefined();
    expect(check("10.0.0.6", "localhost", cert("IP Address:10.0.0.5"))?.message).toContain(
      "IP: 10.0.0.6 is not in the cert's list: 10.0.0.5",
    );
    expect(check("::1", "localhost", cert("IP Address:0:0:0:0:0:0:0:1"))).toBeUndefined();
  });

  it("nats-connection - a certificate for localhost is accepted from loopback only", () => {
    expect(check("127.0.0.1", "localhost", cert("DNS:localhost"))).toBeUndefined();
    expect(check("::1", "localhost", cert("DNS:localhost"))).toBeUndefined();
    expect(check("10.0.0.5", "localhost", cert("DNS:localhost"))).toBeInstanceOf(Error);
  });

  it("nats-connection - with a server name or host, Node's check runs unchanged", () => {
    const c = cert("DNS:nats.example.com");
    expect(check("10.0.0.5", "nats.example.com", c, { servername: "nats.example.com" })).toBeUndefined();
    expect(check("10.0.0.5", "localhost", c, { servername: "localhost" })).toBeInstanceOf(Error);
    expect(check("10.0.0.5", "localhost", cert("DNS:localhost"), { host: "localhost" })).toBeUndefined();
    expect(checkServerIdentity.call(undefined, "nats.example.com", c)).toBeUndefined();
    expect(check(undefined, "localhost", cert("DNS:localhost"))).toBeUndefined();
  });
});
