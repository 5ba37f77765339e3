// Publish/subscribe between app instances, behind one interface:
//   - embedded database (one process by design, decision 4): an in-process EventEmitter;
//   - PostgreSQL (several instances behind a load balancer): LISTEN/NOTIFY on a dedicated
//     connection that reconnects by itself.
// Messages are small strings naming what changed (ids and counters), never state: NOTIFY caps a
// payload at 8000 bytes, and every receiver reads what it may see from the database anyway.
import { EventEmitter } from "node:events";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { registerStream } from "~/utils/stream-closers.server";
import { logError } from "~/utils/log.server";
import { getServices } from "~/utils/database-and-secrets.server";
import { singleton } from "~/utils/singleton.server";

export interface PubSub {
  /** Delivers to this instance's subscribers at once and to the other instances' soon after. */
  publish(channel: string, message: string): Promise<void>;
  subscribe(channel: string, listener: (message: string) => void): () => void;
  /** Called after the transport came back from an outage: messages may have been missed, resync. */
  onResync(listener: () => void): () => void;
  close(): Promise<void>;
}

const MAX_PAYLOAD = 7900;

export class LocalPubSub implements PubSub {
  readonly #emitter = new EventEmitter().setMaxListeners(0);

  async publish(channel: string, message: string): Promise<void> {
    this.deliver(channel, message);
  }

  deliver(channel: string, message: string): void {
    for (const listener of this.#emitter.listeners(`m:${channel}`)) {
      try {
        (listener as (m: string) => void)(message);
      } catch (error) {
        logError("[pubsub] listener failed:", error);
      }
    }
  }

  subscribe(channel: string, listener: (message: string) => void): () => void {
    this.#emitter.on(`m:${channel}`, listener);
    return () => this.#emitter.off(`m:${channel}`, listener);
  }

  onResync(listener: () => void): () => void {
    this.#emitter.on("resync", listener);
    return () => this.#emitter.off("resync", listener);
  }

  resync(): void {
    this.#emitter.emit("resync");
  }

  async close(): Promise<void> {
    this.#emitter.removeAllListeners();
  }
}

/** PostgreSQL channel names are identifiers: keep them to a safe alphabet. */
function pgChannel(channel: string): string {
  if (!/^[a-z0-9_]{1,40}$/.test(channel)) throw new Error(`Invalid pub/sub channel ${JSON.stringify(channel)}`);
  return `token_poker_${channel}`;
}

export class PostgresPubSub implements PubSub {
  readonly #local = new LocalPubSub();
  /** Our own notifications come back through LISTEN too; they were delivered locally already. */
  readonly #instance = randomBytes(6).toString("hex");
  readonly #channels = new Set<string>();
  #client: pg.Client | null = null;
  #connecting: Promise<void> | null = null;
  #closed = false;
  #retryMs = 250;
  #hadOutage = false;

  constructor(
    private readonly connectionString: string,
    /** Publishing goes through the app's pool; only listening needs a connection of its own. */
    private readonly pool: pg.Pool,
  ) {
    void this.#connect();
  }

  async publish(channel: string, message: string): Promise<void> {
    const payload = `${this.#instance} ${message}`;
    if (Buffer.byteLength(payload) > MAX_PAYLOAD) throw new Error("pub/sub message too large; send ids, not state");
    this.#local.deliver(channel, message);
    try {
      await this.pool.query("select pg_notify($1, $2)", [pgChannel(channel), payload]);
    } catch (error) {
      // Other instances catch up at their next heartbeat (they compare change counters).
      console.error("[pubsub] NOTIFY failed:", (error as Error).message);
    }
  }

  subscribe(channel: string, listener: (message: string) => void): () => void {
    const name = pgChannel(channel);
    if (!this.#channels.has(name)) {
      this.#channels.add(name);
      this.#client
        ?.query(`LISTEN "${name}"`)
        .catch((error: Error) => console.error("[pubsub] LISTEN failed:", error.message));
    }
    return this.#local.subscribe(channel, listener);
  }

  onResync(listener: () => void): () => void {
    return this.#local.onResync(listener);
  }

  /** Resolves once the listening connection is up (tests and benchmarks wait for it). */
  ready(): Promise<void> {
    return this.#connecting ?? Promise.resolve();
  }

  #connect(): Promise<void> {
    this.#connecting = (async () => {
      while (!this.#closed) {
        const client = new pg.Client({ connectionString: this.connectionString });
        try {
          client.on("notification", (n) => {
            if (!n.channel.startsWith("token_poker_") || !n.payload) return;
            const space = n.payload.indexOf(" ");
            if (space < 0 || n.payload.slice(0, space) === this.#instance) return;
            this.#local.deliver(n.channel.slice("token_poker_".length), n.payload.slice(space + 1));
          });
          // An error on an idle listening client (server restart, network cut) must not crash the
          // process: note it and reconnect.
          client.on("error", (error) => {
            console.error("[pubsub] listening connection lost:", error.message);
            this.#lost(client);
          });
          client.on("end", () => this.#lost(client));
          await client.connect();
          for (const name of this.#channels) await client.query(`LISTEN "${name}"`);
          if (this.#closed) {
            await client.end().catch(() => {});
            return;
          }
          this.#client = client;
          this.#retryMs = 250;
          if (this.#hadOutage) this.#local.resync();
          return;
        } catch (error) {
          this.#hadOutage = true;
          client.removeAllListeners("end");
          await client.end().catch(() => {});
          console.error(`[pubsub] could not listen (${(error as Error).message}); retrying in ${this.#retryMs} ms`);
          await new Promise((r) => setTimeout(r, this.#retryMs).unref());
          this.#retryMs = Math.min(this.#retryMs * 2, 10_000);
        }
      }
    })();
    return this.#connecting;
  }

  #lost(client: pg.Client) {
    if (this.#client !== client) return;
    this.#client = null;
    this.#hadOutage = true;
    client.removeAllListeners("end");
    client.end().catch(() => {});
    if (!this.#closed) setTimeout(() => void this.#connect(), this.#retryMs).unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    const client = this.#client;
    this.#client = null;
    client?.removeAllListeners("end");
    await client?.end().catch(() => {});
    await this.#local.close();
  }
}

/** The process's pub/sub, on the transport that fits the configured database. */
export function getPubSub(): Promise<PubSub> {
  return singleton("pubsub", async () => {
    const { database, env } = await getServices();
    const pubsub: PubSub =
      database.kind === "postgres" && database.pool && env.DATABASE_URL
        ? new PostgresPubSub(env.DATABASE_URL, database.pool)
        : new LocalPubSub();
    // Shutdown closes live streams; the listening connection goes with them.
    registerStream(() => void pubsub.close());
    return pubsub;
  });
}
