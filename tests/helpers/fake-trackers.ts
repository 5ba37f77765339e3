// Local stand-ins for GitHub's REST API and Jira Cloud's, answering with the vendors' documented
// response shapes (pagination by Link header / nextPageToken, 401, 404, 429 with Retry-After), since
// the real services are out of reach from the tests. They record what the app wrote back.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeTrackers {
  url: string;
  /** Answer every request with this status next (401, 404, 429…); null answers normally. */
  failWith: number | null;
  github: {
    issues: Record<string, unknown>[];
    labels: Map<number, string[]>;
    comments: Map<number, { id: number; body: string }[]>;
  };
  jira: {
    issues: Record<string, unknown>[];
    labels: Map<string, string[]>;
    comments: Map<string, { id: string; body: unknown }[]>;
  };
  requests: { method: string; path: string; auth: string | undefined }[];
  close(): Promise<void>;
}

export async function startFakeTrackers(): Promise<FakeTrackers> {
  let nextId = 1;
  const state: Omit<FakeTrackers, "url" | "close"> = {
    failWith: null,
    github: { issues: [], labels: new Map(), comments: new Map() },
    jira: { issues: [], labels: new Map(), comments: new Map() },
    requests: [],
  };
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : undefined;
    const url = new URL(req.url ?? "/", "http://x");
    state.requests.push({ method: req.method ?? "GET", path: url.pathname, auth: req.headers.authorization });
    const send = (status: number, value: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "Content-Type": "application/json", ...headers });
      res.end(value === undefined ? "" : JSON.stringify(value));
    };
    if (state.failWith) {
      const status = state.failWith;
      return send(
        status,
        { message: status === 401 ? "Bad credentials" : status === 404 ? "Not Found" : "rate limited" },
        status === 429 ? { "Retry-After": "30" } : {},
      );
    }
    let m: RegExpExecArray | null;
    // GitHub: GET /repos/:o/:r/issues (100 per page, Link: rel="next").
    if ((m = /^\/repos\/([^/]+\/[^/]+)\/issues$/.exec(url.pathname)) && req.method === "GET") {
      const page = Number(url.searchParams.get("page") ?? "1");
      const per = 2; // small pages, so the test sees pagination
      const all = state.github.issues;
      const slice = all.slice((page - 1) * per, page * per);
      const origin = `http://${req.headers.host}`;
      const link: Record<string, string> =
        page * per < all.length
          ? { Link: `<${origin}${url.pathname}?state=all&per_page=100&page=${page + 1}>; rel="next"` }
          : {};
      return send(200, slice, link);
    }
    if ((m = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/labels$/.exec(url.pathname))) {
      const n = Number(m[1]);
      const labels = state.github.labels.get(n) ?? [];
      if (req.method === "POST") state.github.labels.set(n, [...labels, ...body.labels]);
      return send(
        200,
        (state.github.labels.get(n) ?? []).map((name) => ({ name })),
      );
    }
    if ((m = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/labels\/(.+)$/.exec(url.pathname)) && req.method === "DELETE") {
      const n = Number(m[1]);
      state.github.labels.set(
        n,
        (state.github.labels.get(n) ?? []).filter((l) => l !== decodeURIComponent(m![2]!)),
      );
      return send(200, []);
    }
    if ((m = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/.exec(url.pathname))) {
      const n = Number(m[1]);
      const list = state.github.comments.get(n) ?? [];
      if (req.method === "POST") {
        list.push({ id: nextId++, body: body.body });
        state.github.comments.set(n, list);
        return send(201, list.at(-1));
      }
      return send(200, list);
    }
    if ((m = /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(url.pathname)) && req.method === "PATCH") {
      for (const list of state.github.comments.values()) {
        const c = list.find((x) => x.id === Number(m![1]));
        if (c) c.body = body.body;
      }
      return send(200, {});
    }
    // Jira Cloud: GET /rest/api/3/search/jql (nextPageToken / isLast).
    if (url.pathname === "/rest/api/3/search/jql") {
      const start = Number(url.searchParams.get("nextPageToken") ?? "0");
      const issues = state.jira.issues.slice(start, start + 2);
      const isLast = start + 2 >= state.jira.issues.length;
      return send(200, { issues, isLast, ...(isLast ? {} : { nextPageToken: String(start + 2) }) });
    }
    if ((m = /^\/rest\/api\/3\/issue\/([^/]+)$/.exec(url.pathname))) {
      const key = decodeURIComponent(m[1]!);
      if (!state.jira.issues.some((i) => i.key === key)) return send(404, { errorMessages: ["Issue does not exist"] });
      if (req.method === "PUT") {
        let labels = state.jira.labels.get(key) ?? [];
        for (const op of body.update.labels)
          labels = op.add ? [...labels, op.add] : labels.filter((l) => l !== op.remove);
        state.jira.labels.set(key, labels);
        return send(204, undefined);
      }
      return send(200, { key, fields: { labels: state.jira.labels.get(key) ?? [] } });
    }
    if ((m = /^\/rest\/api\/3\/issue\/([^/]+)\/comment$/.exec(url.pathname))) {
      const key = decodeURIComponent(m[1]!);
      const list = state.jira.comments.get(key) ?? [];
      if (req.method === "POST") {
        list.push({ id: String(nextId++), body: body.body });
        state.jira.comments.set(key, list);
        return send(201, list.at(-1));
      }
      return send(200, { comments: list, total: list.length });
    }
    if ((m = /^\/rest\/api\/3\/issue\/([^/]+)\/comment\/([^/]+)$/.exec(url.pathname)) && req.method === "PUT") {
      const c = (state.jira.comments.get(decodeURIComponent(m[1]!)) ?? []).find((x) => x.id === m![2]);
      if (c) c.body = body.body;
      return send(200, {});
    }
    send(404, { message: "Not Found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(state, { url, close: () => new Promise<void>((r) => server.close(() => r())) });
}
