import { renderPath } from "./paths.js";
import type { ConnectionConfig } from "./types.js";

/**
 * Human-readable warnings about settings that weaken the connection's security, each starting
 * with the field path as the config spells it. Empty when there is nothing to warn about. Tools
 * print them at startup; `describeConnection` includes them as `warnings`.
 *
 * @example
 * ```ts
 * for (const w of connectionWarnings(parseConnectionConfig(raw))) log.warn(w);
 * // tls.skip_cert_verify: true: the server's certificate is not checked; anyone on the path can read and change the traffic
 * ```
 */
export function connectionWarnings(config: ConnectionConfig): string[] {
  const warnings: string[] = [];
  if (config.tls?.skipCertVerify) {
    warnings.push(
      `${renderPath(["tls", "skip_cert_verify"], config.pathStyle)}: true: the server's certificate is not checked; anyone on the path can read and change the traffic`,
    );
  }
  return warnings;
}
