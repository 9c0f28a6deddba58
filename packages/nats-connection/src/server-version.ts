/**
 * The server's `major.minor` is at least the given one: `version` is the `x.y.z` of the server's
 * INFO; an unknown version counts as 0.0.0. The patch level is not compared: natskit's components
 * gate features on minor releases.
 */
export function serverAtLeast(version: string | undefined, major: number, minor: number): boolean {
  const [a = 0, b = 0] = (version ?? "0.0.0").split(".").map((n) => Number.parseInt(n, 10));
  return a > major || (a === major && b >= minor);
}
