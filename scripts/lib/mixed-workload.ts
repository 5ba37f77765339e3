// A mixed workload of simulated users against a running server, shared by the suite's short run
// (tests/system/load.test.ts) and the benchmark's long one (scripts/bench/mixed-workload.ts).
//
// The users, in a team built over HTTP the way people build it:
//   40 %  poker guests — join a room by its guest link, keep its live stream open, vote on the current round
//    2 %  facilitators — reveal and start a re-vote in their room, over and over
//   40 %  readers — open the team's pages (dashboard, backlog, a story, poker, sprints, a sprint, its retro, spend, insights)
//   10 %  backlog writers — add a story, move a story
//    8 %  tools — post spend entries through the API with a token
// Each waits a human pause between actions — a page every 2–6 s, a vote every 2–5 s — so 200 users
// ask for about 50 requests a second (a closed loop: a slow server gets fewer, never a queue). Counted: every request's time and status by kind; a 5xx or a dropped
// connection is a server failure; a 4xx that the race explains (a vote arriving just after a
// reveal: 409) is counted, not failed.
import { performance } from "node:perf_hooks";
import { percentile } from "./percentile";
import { HttpClient } from "./spawn-server";

export type WorkKind = "page" | "vote" | "facilitate" | "story" | "spend-api" | "join" | "stream";

export interface WorkloadTeam {
  slug: string;
  members: HttpClient[];
  owner: HttpClient;
  rooms: { path: string; guestKey: string }[];
  storyIds: number[];
  sprintId: string;
  apiToken: string;
}

const ROOMS = 4;
const CARDS = {
  intensity: ["light", "standard", "frontier", "frontier-max", "?"],
  autonomy: ["assist", "pair", "delegate", "autonomous"],
  risk: ["low", "medium", "high"],
};

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`workload set-up: ${message}`);
}

async function signUp(baseUrl: string, name: string, redirectTo: string) {
  const client = new HttpClient(baseUrl);
  const email = `${name.toLowerCase().replace(/\W+/g, "")}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const res = await client.post("/signup", { name, email, password: "workload password 1", redirectTo });
  check(res.status === 302, `sign-up answered ${res.status}`);
  return client;
}

/** A team with an owner, three members, 40 stories, a sprint, an API token and four poker rooms open to guests. */
export async function setUpWorkloadTeam(baseUrl: string): Promise<WorkloadTeam> {
  const slug = `load-${Date.now().toString(36)}`;
  const owner = await signUp(baseUrl, "Load Owner", "/teams/new");
  check((await owner.post("/teams/new", { name: "Load team", slug })).status === 302, "team not created");
  const members = [owner];
  for (let i = 1; i <= 3; i++) {
    const invite = await (await owner.post(`/t/${slug}/settings/members`, { intent: "invite", role: "member" })).text();
    const token = /\/invite\/([A-Za-z0-9_-]+)/.exec(invite)?.[1];
    check(token, "no invite link");
    const member = await signUp(baseUrl, `Load Member ${i}`, `/invite/${token}`);
    check((await member.post(`/invite/${token}`, {})).status === 302, "invite not accepted");
    members.push(member);
  }
  const titles = Array.from({ length: 40 }, (_, i) => `LOAD-${i + 1} Workload story ${i + 1}`);
  check(
    (await owner.post(`/t/${slug}/backlog/new`, { intent: "paste", titles: titles.join("\n") })).status < 400,
    "stories not pasted",
  );
  const picker = await (await owner.request(`/t/${slug}/poker`)).text();
  const storyIds = [...picker.matchAll(/name="storyId" value="(\d+)"/g)].map((m) => Number(m[1]));
  check(storyIds.length >= 12, `found ${storyIds.length} stories`);

  const today = new Date();
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  const sprint = await owner.post(`/t/${slug}/sprints/new`, {
    name: "Load sprint",
    start: iso(new Date(today.getTime() - 3 * 86_400_000)),
    end: iso(new Date(today.getTime() + 10 * 86_400_000)),
    capacityKind: "credits",
    capacityCredits: "50000",
    reservePercent: "10",
    commitBasis: "expected",
    exhaustionPolicy: "warn",
  });
  const sprintId = /\/sprints\/(\d+)$/.exec(sprint.headers.get("location") ?? "")?.[1];
  check(sprintId, `sprint not created (${sprint.status})`);

  const tokenPage = await (
    await owner.post(`/t/${slug}/settings/tokens`, { intent: "create", name: "Load tool" })
  ).text();
  const apiToken = /tpk_[A-Za-z0-9_-]+/.exec(tokenPage)?.[0];
  check(apiToken, "no API token");

  const rooms: WorkloadTeam["rooms"] = [];
  for (let r = 0; r < ROOMS; r++) {
    const body = new URLSearchParams({ intent: "create", name: `Load room ${r + 1}`, allowGuests: "on" });
    for (const id of storyIds.slice(r * 3, r * 3 + 3)) body.append("storyId", String(id));
    const res = await owner.request(`/t/${slug}/poker`, { method: "POST", body });
    const path = res.headers.get("location");
    check(path, `poker session not created (${res.status})`);
    const guestKey = /\/poker\/join\/([A-Za-z0-9_-]+)/.exec(await (await owner.request(path)).text())?.[1];
    check(guestKey, "no guest link");
    rooms.push({ path, guestKey });
  }
  return { slug, owner, members, rooms, storyIds, sprintId, apiToken };
}

// ---------------------------------------------------------------------------------------------------

interface Sample {
  kind: WorkKind;
  ms: number;
  status: number;
}

/** A room's live stream as a client reads it: the latest change counter and the current round. */
function openStream(url: string, cookie: string, onFailure: (message: string) => void) {
  const controller = new AbortController();
  const state = {
    seq: -1,
    roundId: null as number | null,
    roundStatus: "",
    itemId: null as number | null,
    snapshots: 0,
    closed: false,
  };
  const opened = performance.now();
  let firstAt: number | null = null;
  const done = (async () => {
    try {
      const res = await fetch(url, {
        headers: { Cookie: cookie, Accept: "text/event-stream" },
        signal: controller.signal,
      });
      if (res.status !== 200 || !res.body) return onFailure(`stream ${url} answered ${res.status}`);
      const decoder = new TextDecoder();
      let buffer = "";
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (!frame.includes("event: snapshot")) continue;
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (!data) continue;
          const view = JSON.parse(data) as {
            seq: number;
            room: { current: { itemId: number; round: { id: number; status: string } } | null };
          };
          firstAt ??= performance.now();
          state.snapshots++;
          state.seq = Math.max(state.seq, view.seq);
          state.roundId = view.room.current?.round.id ?? null;
          state.roundStatus = view.room.current?.round.status ?? "";
          state.itemId = view.room.current?.itemId ?? null;
        }
      }
      if (!controller.signal.aborted) onFailure(`stream ${url} ended by the server`);
    } catch (error) {
      if (!controller.signal.aborted)
        onFailure(`stream ${url} failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      state.closed = true;
    }
  })();
  return {
    state,
    /** Time from opening to the first snapshot (null before it). */
    firstSnapshotMs: () => (firstAt === null ? null : firstAt - opened),
    async close() {
      controller.abort();
      await done;
    },
  };
}

export interface WorkloadReport {
  summary: {
    users: number;
    durationS: number;
    requests: number;
    perSecond: number;
    p50: number;
    p95: number;
    p99: number;
    max: number;
  };
  byKind: Partial<
    Record<WorkKind, { count: number; p50: number; p95: number; max: number; statuses: Record<string, number> }>
  >;
  /** "GET /t/x/backlog → 500" for every 5xx. */
  serverErrors: string[];
  /** Dropped connections, broken streams, unexpected statuses (a 403 where a user may act). */
  failures: string[];
  /** Streams that, after the load stopped, had not caught up with their room. */
  staleStreams: number;
}

const pick = <T>(items: readonly T[]) => items[Math.floor(Math.random() * items.length)]!;
const pause = (min: number, max: number) => new Promise((r) => setTimeout(r, min + Math.random() * (max - min)));

/** The pages readers open, at random. */
function readerPages(team: WorkloadTeam): string[] {
  const t = `/t/${team.slug}`;
  return [
    t,
    `${t}/backlog`,
    `${t}/backlog?view=order`,
    `${t}/stories/${team.storyIds[5]}`,
    `${t}/poker`,
    `${t}/sprints`,
    `${t}/sprints/${team.sprintId}`,
    `${t}/sprints/${team.sprintId}/retro`,
    `${t}/spend`,
    `${t}/insights`,
    `${t}/me`,
  ];
}

/**
 * The floor of the workload's page figures: one client opening the readers' pages one at a time
 * (one warm-up round, then `rounds` rounds), on the same server and team, before the crowd.
 */
export async function onePageAtATime(baseUrl: string, team: WorkloadTeam, options: { rounds: number }) {
  const client = team.members[1] ?? team.owner;
  const times: number[] = [];
  for (let round = 0; round <= options.rounds; round++) {
    for (const page of readerPages(team)) {
      const started = performance.now();
      const res = await client.request(page);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`one client: ${page} answered ${res.status}`);
      if (round > 0) times.push(performance.now() - started);
    }
  }
  times.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    count: times.length,
    median: round(percentile(times, 50)),
    p95: round(percentile(times, 95)),
    max: round(times.at(-1) ?? NaN),
  };
}

export async function runMixedWorkload(
  baseUrl: string,
  team: WorkloadTeam,
  options: { users: number; durationMs: number },
): Promise<WorkloadReport> {
  const samples: Sample[] = [];
  const serverErrors: string[] = [];
  const failures: string[] = [];
  const t = `/t/${team.slug}`;
  const pages = readerPages(team);

  /** One timed request; `allowed` lists the 4xx statuses the race explains for this kind of work. */
  async function timed(
    kind: WorkKind,
    client: HttpClient,
    path: string,
    init: Parameters<HttpClient["request"]>[1] = {},
    allowed: number[] = [],
  ) {
    const started = performance.now();
    let status = 0;
    try {
      const res = await client.request(path, init);
      status = res.status;
      await res.arrayBuffer();
    } catch (error) {
      failures.push(`${init.method ?? "GET"} ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
    samples.push({ kind, ms: performance.now() - started, status });
    if (status >= 500) serverErrors.push(`${init.method ?? "GET"} ${path} → ${status}`);
    else if (status >= 400 && !allowed.includes(status)) failures.push(`${init.method ?? "GET"} ${path} → ${status}`);
    return status;
  }

  const deadline = performance.now() + options.durationMs;
  const running = () => performance.now() < deadline;
  const guests = Math.round(options.users * 0.4);
  const facilitators = ROOMS;
  const writers = Math.round(options.users * 0.1);
  const tools = Math.round(options.users * 0.08);
  const readers = options.users - guests - facilitators - writers - tools;
  const streams: ReturnType<typeof openStream>[] = [];
  const streamRoom = new Map<ReturnType<typeof openStream>, number>();

  async function guest(n: number) {
    const room = team.rooms[n % ROOMS]!;
    const client = new HttpClient(baseUrl);
    const joined = await timed("join", client, `/poker/join/${room.guestKey}`, {
      method: "POST",
      form: { name: `Load guest ${n}` },
    });
    if (joined !== 302) return;
    const stream = openStream(new URL(`${room.path}/events`, baseUrl).href, client.cookie, (m) => failures.push(m));
    streams.push(stream);
    streamRoom.set(stream, n % ROOMS);
    while (running()) {
      await pause(2000, 5000);
      if (stream.state.roundId === null || stream.state.roundStatus !== "voting") continue;
      const form = {
        intent: "vote",
        roundId: String(stream.state.roundId),
        intensity: pick(CARDS.intensity),
        autonomy: pick(CARDS.autonomy),
        risk: pick(CARDS.risk),
        ts: String(Date.now()),
      };
      // What the page's fetcher sends: the single-fetch action endpoint. 409: the round closed meanwhile.
      await timed("vote", client, `${room.path}.data`, { method: "POST", form }, [409]);
    }
  }

  async function facilitator(r: number) {
    const room = team.rooms[r]!;
    const stream = openStream(new URL(`${room.path}/events`, baseUrl).href, team.owner.cookie, (m) => failures.push(m));
    streams.push(stream);
    streamRoom.set(stream, r);
    while (running()) {
      await pause(3000, 5000);
      const { roundStatus, itemId } = stream.state;
      if (roundStatus === "voting")
        await timed(
          "facilitate",
          team.owner,
          `${room.path}.data`,
          { method: "POST", form: { intent: "reveal" } },
          [409],
        );
      else if (roundStatus === "revealed" && itemId !== null)
        await timed(
          "facilitate",
          team.owner,
          `${room.path}.data`,
          { method: "POST", form: { intent: "revote", itemId: String(itemId) } },
          [409],
        );
    }
  }

  async function reader(n: number) {
    const client = team.members[n % team.members.length]!;
    while (running()) {
      await timed("page", client, pick(pages));
      await pause(2000, 6000);
    }
  }

  async function writer(n: number) {
    const client = team.members[n % team.members.length]!;
    let added = 0;
    while (running()) {
      await pause(3000, 8000);
      if (Math.random() < 0.5) {
        await timed("story", client, `${t}/backlog.data?index`, {
          method: "POST",
          form: { intent: "quick-add", line: `Load writer ${n} story ${++added}` },
        });
      } else {
        const [a, b] = [pick(team.storyIds), pick(team.storyIds)];
        if (a === b) continue;
        await timed(
          "story",
          client,
          `${t}/backlog.data?index`,
          { method: "POST", form: { intent: "move", storyId: String(a), beforeId: String(b), afterId: "" } },
          [409, 422],
        );
      }
    }
  }

  async function tool(n: number) {
    const client = new HttpClient(baseUrl);
    let batch = 0;
    while (running()) {
      await pause(2000, 5000);
      batch++;
      const entries = Array.from({ length: 5 }, (_, i) => ({
        id: `load-${n}-${batch}-${i}`,
        occurred_at: new Date().toISOString(),
        model: "claude-sonnet-4-6",
        input_tokens: 20_000 + i * 1000,
        output_tokens: 3_000,
        user: `tool-${n}@example.com`,
        story: `LOAD-${1 + ((n + i) % 40)}`,
      }));
      await timed("spend-api", client, `/api/v1/teams/${team.slug}/spend`, {
        method: "POST",
        body: JSON.stringify(entries),
        headers: { Authorization: `Bearer ${team.apiToken}`, "Content-Type": "application/json" },
      });
    }
  }

  // People arrive over the first two seconds, not in the same millisecond (that case has its own
  // test: 50 voters casting at once).
  const arrive = (user: () => Promise<void>) => pause(0, 2000).then(user);
  const started = performance.now();
  await Promise.all([
    ...Array.from({ length: guests }, (_, n) => arrive(() => guest(n))),
    ...Array.from({ length: facilitators }, (_, r) => arrive(() => facilitator(r))),
    ...Array.from({ length: readers }, (_, n) => arrive(() => reader(n))),
    ...Array.from({ length: writers }, (_, n) => arrive(() => writer(n))),
    ...Array.from({ length: tools }, (_, n) => arrive(() => tool(n))),
  ]);
  const elapsed = performance.now() - started;

  // The load has stopped: every stream should catch up with its room within a few seconds.
  const latest = async (r: number) => {
    const probe = openStream(new URL(`${team.rooms[r]!.path}/events`, baseUrl).href, team.owner.cookie, (m) =>
      failures.push(m),
    );
    for (let i = 0; i < 100 && probe.state.snapshots === 0; i++) await pause(50, 50);
    await probe.close();
    return probe.state.seq;
  };
  let staleStreams = 0;
  for (let attempt = 0; attempt < 20; attempt++) {
    await pause(250, 250);
    const seqs = await Promise.all(team.rooms.map((_, r) => latest(r)));
    staleStreams = streams.filter((s) => s.state.seq < seqs[streamRoom.get(s)!]!).length;
    if (staleStreams === 0) break;
  }
  for (const s of streams) {
    const first = s.firstSnapshotMs();
    if (first !== null) samples.push({ kind: "stream", ms: first, status: 200 });
    else failures.push("a stream never delivered its first snapshot");
  }
  await Promise.all(streams.map((s) => s.close()));

  const summarize = (list: Sample[]) => {
    const times = list.map((s) => s.ms).sort((a, b) => a - b);
    const round = (x: number) => Math.round(x * 10) / 10;
    const statuses: Record<string, number> = {};
    for (const s of list) statuses[s.status] = (statuses[s.status] ?? 0) + 1;
    return {
      count: list.length,
      p50: round(percentile(times, 50)),
      p95: round(percentile(times, 95)),
      p99: round(percentile(times, 99)),
      max: round(times.at(-1) ?? NaN),
      statuses,
    };
  };
  const requests = samples.filter((s) => s.kind !== "stream");
  const all = summarize(requests);
  const byKind: WorkloadReport["byKind"] = {};
  for (const kind of new Set(samples.map((s) => s.kind))) {
    const { count, p50, p95, max, statuses } = summarize(samples.filter((s) => s.kind === kind));
    byKind[kind] = { count, p50, p95, max, statuses };
  }
  return {
    summary: {
      users: options.users,
      durationS: Math.round(elapsed / 100) / 10,
      requests: all.count,
      perSecond: Math.round(all.count / (elapsed / 1000)),
      p50: all.p50,
      p95: all.p95,
      p99: all.p99,
      max: all.max,
    },
    byKind,
    serverErrors,
    failures,
    staleStreams,
  };
}
