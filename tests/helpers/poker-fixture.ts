import type { BrowserContext } from "playwright-core";
import { expect } from "vitest";
import type { HttpClient } from "./server";

let counter = 0;

/**
 * Creates a poker session over HTTP as `owner` (a member or more of `slug`): pastes fresh stories
 * into the backlog, reads their ids from the poker page's story picker and starts the session.
 * Returns the session id and the story ids in queue order.
 */
export async function createPokerSessionOverHttp(
  owner: HttpClient,
  slug: string,
  options: { titles?: string[]; autoReveal?: boolean; allowAhead?: boolean; allowGuests?: boolean; name?: string } = {},
) {
  const tag = `${Date.now().toString(36)}${counter++}`;
  const titles = options.titles ?? ["Poker story one", "Poker story two", "Poker story three"];
  const unique = titles.map((t) => `${t} ${tag}`);
  const paste = await owner.post(`/t/${slug}/backlog/new`, { intent: "paste", titles: unique.join("\n") });
  expect(paste.status, "pasting stories into the backlog").toBeLessThan(400);

  const page = await (await owner.request(`/t/${slug}/poker`)).text();
  const ids = unique.map((title) => {
    const escaped = title.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const match = new RegExp(`name="storyId" value="(\\d+)"[^>]*/?>(?:(?!</li>).)*?${escaped}`, "s").exec(page);
    expect(match, `story "${title}" in the poker page's picker`).toBeTruthy();
    return match![1]!;
  });

  const body = new URLSearchParams({ intent: "create", name: options.name ?? `Session ${tag}` });
  for (const id of ids) body.append("storyId", id);
  if (options.autoReveal) body.set("autoReveal", "on");
  if (options.allowAhead) body.set("allowAhead", "on");
  if (options.allowGuests) body.set("allowGuests", "on");
  const res = await owner.request(`/t/${slug}/poker`, { method: "POST", body });
  expect(res.status, await res.clone().text()).toBe(302);
  const id = /\/poker\/(\d+)$/.exec(res.headers.get("location") ?? "")?.[1];
  expect(id, "the new session's address").toBeTruthy();
  return { id: id!, storyIds: ids.map(Number), titles: unique };
}

/** Logs a browser context in with an HTTP client's session cookie. */
export async function shareLogin(context: BrowserContext, client: HttpClient) {
  const [name, ...rest] = client.cookie.split("=");
  await context.addCookies([{ name: name!, value: rest.join("="), url: client.baseUrl }]);
}

export interface SseEvent {
  event: string;
  id: string | null;
  data: string;
}

/** Reads a server-sent event stream as a client with the given cookie would, raw text included. */
export async function openEventStream(baseUrl: string, path: string, cookie: string) {
  const controller = new AbortController();
  const res = await fetch(new URL(path, baseUrl), {
    headers: { Cookie: cookie, Accept: "text/event-stream" },
    signal: controller.signal,
  });
  const events: SseEvent[] = [];
  let raw = "";
  let buffer = "";
  const done = (async () => {
    if (!res.body) return;
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const text = decoder.decode(value, { stream: true });
        raw += text;
        buffer += text;
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event: SseEvent = { event: "message", id: null, data: "" };
          let hasData = false;
          for (const line of frame.split("\n")) {
            if (line.startsWith(":")) continue;
            const [field, ...restOf] = line.split(":");
            const value = restOf.join(":").replace(/^ /, "");
            if (field === "event") event.event = value;
            else if (field === "id") event.id = value;
            else if (field === "data") {
              event.data += (hasData ? "\n" : "") + value;
              hasData = true;
            }
          }
          if (hasData) events.push(event);
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    res,
    events,
    raw: () => raw,
    snapshots: () => events.filter((e) => e.event === "snapshot").map((e) => JSON.parse(e.data) as Record<string, any>),
    /** Waits for a snapshot that satisfies `predicate`. */
    async waitForSnapshot(predicate: (view: Record<string, any>) => boolean, timeoutMs = 10_000) {
      const started = Date.now();
      for (;;) {
        const found = events
          .filter((e) => e.event === "snapshot")
          .map((e) => JSON.parse(e.data) as Record<string, any>)
          .find(predicate);
        if (found) return found;
        if (Date.now() - started > timeoutMs)
          throw new Error(`no matching snapshot within ${timeoutMs} ms; got ${events.length} events`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      controller.abort();
      await done;
    },
  };
}
