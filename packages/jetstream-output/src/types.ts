import type { Message } from "@natskit/interpolation";
import type { PubAck } from "./publisher.js";

/**
 * The output contract, after Benthos' `service.Output`: `connect` once, then `write` /
 * `writeBatch` from any number of concurrent callers, then `close`.
 */
export interface Output {
  /**
   * Connects to NATS and prepares the publisher. Called once before any write. While no server
   * can be reached yet it keeps trying for `wait_on_first_connect`; `close()` ends that wait.
   * @throws ConfigError (bad connection config or files) or ConnectError (no server accepted:
   *   at once for rejected credentials or certificates, after the wait for an unreachable server).
   */
  connect(): Promise<void>;
  /**
   * Publishes one message. Resolves with the stream's ack once the stream has stored it (or
   * reports it as a duplicate of a message it stored). Rejects with a `JetStreamOutputError`
   * when the message cannot be stored: at once for bad input (`retryable: false`), or after
   * retries for transient failures. A message is never reported both ways, and never dropped.
   */
  write(message: Message): Promise<PubAck>;
  /**
   * Publishes a batch. Resolves with one ack per message when all are stored; rejects with a
   * `BatchWriteError` whose `errors[i]` is the failure of message `i` (others were stored).
   */
  writeBatch(messages: readonly Message[]): Promise<PubAck[]>;
  /**
   * Stops accepting writes and waits for messages in flight, at most `timeoutMs`; whatever is
   * still unacknowledged then fails with `CLOSED`. Then closes the connection.
   */
  close(timeoutMs?: number): Promise<void>;
}

export type { PubAck };
