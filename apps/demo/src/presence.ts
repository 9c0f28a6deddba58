import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import type { Liveness } from "./dedupe.js";

const ALIVE_FOR_MS = 1000;
const PING_TIMEOUT_MS = 2000;

/** The subject a run answers on while it is alive (an inbox subject: most accounts may use it). */
export function presenceSubject(owner: string): string {
  return `_INBOX.natskit.owner.${owner}`;
}

/**
 * Tells whether the run that owns a dedupe claim is still running. Each run answers requests on
 * its own subject for as long as it is connected; a request that the server answers with "no
 * responders" means the owner is gone. No clocks and no leases: a crashed run is known to be gone
 * as soon as the server has dropped its connection.
 *
 * A wrong answer costs no message: a run that takes over a claim whose owner is in fact alive
 * publishes with the same `Nats-Msg-Id`, and the stream stores one copy.
 */
export class Presence {
  readonly owner: string;
  #subs: Subscription[] = [];
  #dead = new Set<string>();
  #alive = new Map<string, number>();
  #asking = new Map<string, Promise<boolean | undefined>>();

  constructor(owner: string) {
    this.owner = owner;
  }

  /** Answers on `nc` from now on; resolves once the server has the subscription. */
  async announce(nc: NatsConnection): Promise<void> {
    this.#subs.push(
      nc.subscribe(presenceSubject(this.owner), {
        callback: (err, m) => {
          if (!err) m.respond();
        },
      }),
    );
    await nc.flush();
  }

  /** A {@link Liveness} that asks over `nc`; answers are shared by every claim of that owner. */
  liveness(nc: NatsConnection): Liveness {
    return (other) => {
      if (other === this.owner) return Promise.resolve(true);
      if (this.#dead.has(other)) return Promise.resolve(false);
      const seen = this.#alive.get(other);
      if (seen !== undefined && performance.now() - seen < ALIVE_FOR_MS) return Promise.resolve(true);
      let asking = this.#asking.get(other);
      if (!asking) {
        asking = this.#ask(nc, other).finally(() => this.#asking.delete(other));
        this.#asking.set(other, asking);
      }
      return asking;
    };
  }

  async #ask(nc: NatsConnection, other: string): Promise<boolean | undefined> {
    try {
      await nc.request(presenceSubject(other), undefined, { timeout: PING_TIMEOUT_MS });
      this.#alive.set(other, performance.now());
      return true;
    } catch (e) {
      if (isNoResponders(e)) {
        this.#dead.add(other);
        return false;
      }
      // A timeout (disconnected, slow) or a permission error: cannot tell now.
      return undefined;
    }
  }

  close(): void {
    for (const s of this.#subs) s.unsubscribe();
    this.#subs = [];
  }
}

function isNoResponders(e: unknown): boolean {
  const err = e as { isNoResponders?: () => boolean; name?: string; cause?: { name?: string } } | undefined;
  if (typeof err?.isNoResponders === "function") return err.isNoResponders();
  // nats-core names the error "NoResponders"; checked by name so another copy of it works too.
  return [err?.name, err?.cause?.name].some((n) => n?.startsWith("NoResponders") ?? false);
}
