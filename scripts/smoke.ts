// Connection smoke check, run by `pnpm demo` until apps/demo exists: starts a throwaway
// nats-server (or uses --url), connects through @natskit/nats-connection, does a request/reply
// round trip and a JetStream publish, and prints what it saw.
import { connectNats } from "@natskit/nats-connection";
import { startNatsServer } from "@natskit/test-nats";

const urlFlag = process.argv.indexOf("--url");
const url = urlFlag > 0 ? process.argv[urlFlag + 1] : undefined;

const server = url ? undefined : await startNatsServer();
try {
  const client = await connectNats({ urls: url ?? server!.url, name: "natskit-smoke" });
  const { nc } = client;
  const sub = nc.subscribe("natskit.smoke", { callback: (_e, m) => m.respond(`pong: ${m.string()}`) });
  const reply = await nc.request("natskit.smoke", "ping", { timeout: 2000 });
  sub.unsubscribe();
  console.log(
    `server       ${nc.info?.server_name ?? "?"} v${nc.info?.version} at ${client.config.servers[0]?.url}`,
  );
  console.log(`round trip   ${reply.string()}`);
  console.log(`jetstream    ${nc.info?.jetstream ? "enabled" : "not enabled"}`);
  await client.close();
  console.log("smoke check  ok");
} finally {
  await server?.stop();
}
