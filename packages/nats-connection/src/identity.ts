import type { Socket } from "node:net";
import type { PeerCertificate } from "node:tls";
import { isIP, checkServerIdentity as nodeCheckServerIdentity } from "./node-builtins.js";

/** The parts of the `tls.connect` options this check reads (it is called as their method). */
interface TlsConnectOptions {
  readonly socket?: Socket;
  readonly servername?: string;
  readonly host?: string;
}

/**
 * The server identity check handed to `tls.connect`, so `nats://<ip>` URLs work as in the Go
 * client.
 *
 * For an IP URL nats.js upgrades its socket without a server name, and Node then checks the
 * certificate against the name `localhost`: a certificate for `IP:10.0.0.5` is refused and one for
 * `DNS:localhost` is accepted from any address. Node calls this function as a method of the
 * `tls.connect` options, which hold the socket, so the address actually dialled is checked
 * against the certificate's IP SANs instead. On a loopback address a certificate for `localhost`
 * is accepted too (the same host). With a server name (host name URLs) Node's check runs as is.
 */
export function checkServerIdentity(
  this: TlsConnectOptions | undefined,
  hostname: string,
  cert: PeerCertificate,
): Error | undefined {
  const address = this?.socket?.remoteAddress;
  if (hostname !== "localhost" || this?.servername || this?.host || !address || isIP(address) === 0) {
    return nodeCheckServerIdentity(hostname, cert);
  }
  const error = nodeCheckServerIdentity(address, cert);
  if (error === undefined || !isLoopback(address)) return error;
  return nodeCheckServerIdentity("localhost", cert) === undefined ? undefined : error;
}

function isLoopback(address: string): boolean {
  return address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127.");
}
