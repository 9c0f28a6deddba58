/**
 * Reference functions and methods that natskit will not run, with the reason the parse error
 * gives (instead of `unrecognised method`). An environment that registers one of these names as
 * a plugin uses the plugin.
 */
const GEOIP = "a MaxMind GeoIP2 database file and reader, which natskit does not bundle";

export const UNSUPPORTED_METHODS: Readonly<Record<string, string>> = {
  geoip_anonymous_ip: GEOIP,
  geoip_asn: GEOIP,
  geoip_city: GEOIP,
  geoip_connection_type: GEOIP,
  geoip_country: GEOIP,
  geoip_domain: GEOIP,
  geoip_enterprise: GEOIP,
  geoip_isp: GEOIP,
  vector: "Redpanda Connect's SQL drivers (it makes their vector column type)",
};

export const UNSUPPORTED_FUNCTIONS: Readonly<Record<string, string>> = {};

export function unsupportedReason(kind: "function" | "method", name: string): string | undefined {
  const table = kind === "method" ? UNSUPPORTED_METHODS : UNSUPPORTED_FUNCTIONS;
  return Object.hasOwn(table, name) ? table[name] : undefined;
}
