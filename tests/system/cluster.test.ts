// Every core (issue 15 item 9): on PostgreSQL the server runs a worker per core behind one port.
// A session made through one worker is good on the other, and a vote cast through one worker
// reaches a live stream held open on the other. Each request here gets a connection of its own
// (or a one-socket agent), so the cluster's round robin hands them to both workers; the
// X-Token-Poker-Worker header says which one answered.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshPostgresDatabase } from "../../scripts/lib/fresh-database";
import { planPools } from "../../scripts/cluster";
import { createPokerSessionOverHttp, openEventStream } from "../helpers/poker-fixture";
import { startTestServer, type TestServer } from "../helpers/server";
import { createTeam, joinWithRole, signUp } from "../helpers/team-fixture";

const databaseUrl = process.env.DATABASE_URL || undefined;

/** One request on `agent` (a fresh connection when none): status, body and the answering worker. */
function request(url: string, options: { cookie?: string; form?: Record<string, string>; agent?: http.Agent } = {}) {
  return new Promise<{ status: number; body: string; worker: string | undefined }>((resolve, reject) => {
    const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
    const req = http.request(
      url,
      {
        method: body ? "POST" : "GET",
        agent: options.agent ?? false,
        headers: {
          ...(options.cookie ? { Cookie: options.cookie } : {}),
          ...(body
            ? { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": Buffer.byteLength(body) }
            : {}),
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (text += d));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: text, worker: res.headers["x-token-poker-worker"] as string }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("pool sizing", () => {
  it("keeps workers × (pool + own connections) under what max_connections leaves free", () => {
    for (const [wanted, max, inUse] of [
      [2, 100, 0],
      [8, 100, 30],
      [64, 100, 0],
      [4, 20, 5],
      [4, 5, 4],
    ] as const) {
      const plan = planPools({ wanted, maxConnections: max, reserved: 3, inUse });
      expect(plan.workers).toBeGreaterThanOrEqual(1);
      expect(plan.workers).toBeLessThanOrEqual(wanted);
      if (plan.workers > 1) expect(plan.workers * (plan.poolSize + 2)).toBeLessThanOrEqual(max - 3 - inUse);
    }
    expect(planPools({ wanted: 2, maxConnections: 100, reserved: 3, inUse: 0 })).toMatchObject({
      workers: 2,
      poolSize: 10,
    });
  });
});

describe.skipIf(!databaseUrl)("a cluster of two workers on PostgreSQL", () => {
  let server: TestServer;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const database = (await freshPostgresDatabase(databaseUrl, "cluster"))!;
    drop = database.drop;
    server = await startTestServer({
      env: { DATABASE_URL: database.url, SESSION_SECRET: "cluster-test-secret-0123456789", WEB_CONCURRENCY: "2" },
    });
    // Both workers listening: answers come from two of them (polled; a worker starts in seconds).
    const seen = new Set<string | undefined>();
    for (let i = 0; i < 600 && seen.size < 2; i++) {
      seen.add((await request(`${server.url}/ping`)).worker);
      if (seen.size < 2) await new Promise((r) => setTimeout(r, 100));
    }
    expect([...seen].sort()).toEqual(["1", "2"]);
  });
  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
    await drop?.();
  });

  it("says so at start-up, and a session made through one worker is good on the other", async () => {
    expect(server.output()).toMatch(/PostgreSQL: 2 workers × \d+ pooled connections/);
    const owner = await signUp(server.url, "Clara Cluster");
    await createTeam(owner, "Cores", "cores");
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await request(`${server.url}/t/cores`, { cookie: owner.cookie }));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(new Set(answers.map((a) => a.worker)).size).toBe(2);
  });

  it("delivers a vote cast through one worker to a stream held by the other", async () => {
    const owner = await signUp(server.url, "Fay Facilitator");
    await createTeam(owner, "Rooms", "rooms");
    const member = await joinWithRole(owner, "rooms", "member", "Vic Voter");
    const { id } = await createPokerSessionOverHttp(owner, "rooms");
    const url = `/t/rooms/poker/${id}`;
    expect((await member.post(url, { intent: "join", role: "voter" })).status).toBe(200);

    const stream = await openEventStream(server.url, `${url}/events`, owner.cookie);
    const streamWorker = stream.res.headers.get("x-token-poker-worker");
    expect(streamWorker).toMatch(/^[12]$/);
    const first = await stream.waitForSnapshot(() => true);

    // A one-socket agent that landed on the other worker carries the vote.
    let agent: http.Agent | undefined;
    for (let i = 0; i < 20 && !agent; i++) {
      const candidate = new http.Agent({ keepAlive: true, maxSockets: 1 });
      if ((await request(`${server.url}/ping`, { agent: candidate })).worker !== streamWorker) agent = candidate;
      else candidate.destroy();
    }
    expect(agent, "a connection to the other worker").toBeTruthy();
    const vote = await request(`${server.url}${url}`, {
      agent,
      cookie: member.cookie,
      form: {
        intent: "vote",
        roundId: String(first.room.current.round.id),
        intensity: "standard",
        autonomy: "pair",
        risk: "low",
      },
    });
    expect(vote.status).toBe(200);
    expect(vote.worker).not.toBe(streamWorker);
    agent!.destroy();
    await stream.waitForSnapshot((v) =>
      v.room.participants.some((p: { name: string; voted: boolean }) => p.name === "Vic Voter" && p.voted),
    );
    await stream.close();
  });
});
