// Writers for system tests: guest voters in a poker room and spend uploads, as a browser or a CI
// job would send them (shared by the crash and connection-loss tests).
import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import { HttpClient } from "./server";

export interface Cards {
  intensity: string;
  autonomy: string;
  risk: string;
}

/** The deck of each dimension, "?" included: 5, 5 and 4 cards. */
export type Deck = Record<keyof Cards, string[]>;

export function deckOf(scheme: Record<keyof Cards, { id: string }[]>): Deck {
  return {
    intensity: [...scheme.intensity.map((l) => l.id), "?"],
    autonomy: [...scheme.autonomy.map((l) => l.id), "?"],
    risk: [...scheme.risk.map((l) => l.id), "?"],
  };
}

/** Vote `n` of voter `v`: each vote differs from the one before in every dimension, so a mix of two shows. */
export function cardsFor(deck: Deck, v: number, n: number): Cards {
  return {
    intensity: deck.intensity[(v + n) % deck.intensity.length]!,
    autonomy: deck.autonomy[(v + 2 * n) % deck.autonomy.length]!,
    risk: deck.risk[(v + n) % deck.risk.length]!,
  };
}

/** A guest voter and what the server told it: its last answered vote, and the one left unanswered. */
export interface Voter {
  client: HttpClient;
  name: string;
  index: number;
  sent: number;
  acked: Cards | null;
  unanswered: Cards | null;
}

export async function joinGuests(
  baseUrl: string,
  owner: HttpClient,
  roomUrl: string,
  names: string[],
): Promise<Voter[]> {
  const key = /\/poker\/join\/([A-Za-z0-9_-]+)/.exec(await (await owner.request(roomUrl)).text())?.[1];
  expect(key, "the guest link on the room page").toBeTruthy();
  const voters: Voter[] = [];
  for (const [index, name] of names.entries()) {
    const client = new HttpClient(baseUrl);
    const res = await client.post(`/poker/join/${key}`, { name });
    expect(res.status).toBe(302);
    voters.push({ client, name, index, sent: 0, acked: null, unanswered: null });
  }
  return voters;
}

/**
 * Casts one vote. A 200 is sent only after the transaction committed, so it counts as answered as
 * soon as the status arrives; a connection cut before that leaves the vote unanswered.
 */
export async function castVote(v: Voter, roomUrl: string, roundId: number, deck: Deck): Promise<boolean> {
  const cards = cardsFor(deck, v.index, v.sent);
  v.sent++;
  v.unanswered = cards;
  let res: Response;
  try {
    res = await v.client.post(roomUrl, { intent: "vote", roundId: String(roundId), ...cards, ts: String(v.sent) });
  } catch {
    return false;
  }
  expect(res.status, `${v.name}'s vote`).toBe(200);
  v.acked = cards;
  v.unanswered = null;
  await res.arrayBuffer().catch(() => {});
  return true;
}

/** Votes again and again until the server is gone. */
export async function voteUntilDown(v: Voter, roomUrl: string, roundId: number, deck: Deck, onAnswer: () => void) {
  while (await castVote(v, roomUrl, roundId, deck)) onAnswer();
}

// ---------------------------------------------------------------------------------------------
// Spend files

/** A GitHub Copilot AI usage report of `rows` distinct rows (the shape of scripts/bench/import.ts). */
export function copilotReport(rows: number, tag: string): Buffer {
  const lines = [
    "date,username,product,sku,model,quantity,unit_type,applied_cost_per_quantity,gross_amount,discount_amount,net_amount,total_monthly_quota,organization,repository,cost_center_name",
  ];
  const models = ["Claude Sonnet 4.6", "GPT-5.4", "Auto: Claude Haiku 4.5", "Claude Opus 4.7"];
  for (let i = 0; i < rows; i++) {
    const user = i % 500;
    const rest = Math.floor(i / 500);
    const day = String((rest % 30) + 1).padStart(2, "0");
    const model = models[Math.floor(rest / 30) % models.length]!;
    const sku = Math.floor(rest / 120) % 2 ? "coding_agent_ai_credit" : "copilot_ai_credit";
    const credits = (1 + ((i * 37) % 400) / 10).toFixed(3);
    const usd = (Number(credits) * 0.01).toFixed(5);
    lines.push(
      `2026-11-${day},${tag}-${user}-${Math.floor(rest / 240)},copilot,${sku},${model},${credits},ai-credits,0.01,${usd},${usd},0,1900,acme,acme/svc-${user % 40},Eng`,
    );
  }
  return Buffer.from(`${lines.join("\n")}\n`);
}

/**
 * Posts a spend file to the upload endpoint as a streamed multipart body. With `holdAfter`, the
 * body stops after that many bytes of the file until `release()`: the server has staged what it got
 * and waits for the rest — a fixed point to kill it at.
 */
export function uploadSpend(
  baseUrl: string,
  cookie: string,
  slug: string,
  fileName: string,
  file: Buffer,
  holdAfter?: number,
) {
  const boundary = `----crash${randomBytes(8).toString("hex")}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="format"\r\n\r\nauto\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${fileName}"\r\nContent-Type: text/csv\r\n\r\n`,
  );
  const body = Buffer.concat([head, file, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  const holdAt = holdAfter === undefined ? -1 : head.length + holdAfter;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let offset = 0;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (offset === holdAt) await released;
      if (offset >= body.length) return controller.close();
      const end = Math.min(body.length, offset + 64 * 1024, offset < holdAt ? holdAt : Infinity);
      controller.enqueue(body.subarray(offset, end));
      offset = end;
    },
  });
  const response = fetch(new URL(`/t/${slug}/spend/upload`, baseUrl), {
    method: "POST",
    body: stream,
    duplex: "half",
    headers: {
      Cookie: cookie,
      Accept: "application/json",
      "Content-Type": `multipart/form-data; boundary=${boundary}`,
    },
  } as RequestInit);
  response.catch(() => {}); // a kill cuts it; the test looks at the database instead
  return { response, release };
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
