// The two tracker APIs we pull stories from and write estimates back to, behind one small interface.
// Mapping lives in app/domain/trackers/tracker-api.ts; here are only requests, pagination and errors.
// Every request goes through outboundRequest (no internal addresses unless the operator allows).
import {
  commentIsOurs,
  githubComment,
  githubItems,
  isSizeLabel,
  jiraComment,
  jiraItems,
  adfText,
  sizeLabel,
  type GithubRestIssue,
  type JiraIssue,
  type PushedEstimate,
  type TrackerKind,
} from "~/domain/trackers/tracker-api";
import type { TrackerItem } from "~/domain/trackers/tracker-file";
import { outboundRequest, type OutboundResponse } from "~/utils/outbound-http.server";

export type TrackerApiErrorKind = "unauthorized" | "not-found" | "rate-limited" | "unreachable" | "failed";

export class TrackerApiError extends Error {
  constructor(
    readonly kind: TrackerApiErrorKind,
    message: string,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }
}

export interface TrackerConnectionConfig {
  kind: TrackerKind;
  /** GitHub's API root (https://api.github.com, or an Enterprise server's) or the Jira site. */
  baseUrl: string;
  /** `owner/repo` on GitHub; the project key on Jira. */
  project: string;
  /** Jira's account e-mail (API tokens go with it); null on GitHub. */
  account: string | null;
  token: string;
}

export interface PullFilter {
  label?: string | null;
  milestone?: string | null;
  jql?: string | null;
}

export interface TrackerApi {
  pull(filter: PullFilter): Promise<TrackerItem[]>;
  pushEstimate(item: { key: string | null; link: string | null }, estimate: PushedEstimate): Promise<void>;
}

const MAX_PAGES = 20;

export function trackerApi(config: TrackerConnectionConfig): TrackerApi {
  return config.kind === "github" ? githubApi(config) : jiraApi(config);
}

async function call(
  url: string,
  init: { method?: string; headers: Record<string, string>; json?: unknown },
): Promise<OutboundResponse> {
  let response: OutboundResponse;
  try {
    response = await outboundRequest(url, {
      method: init.method,
      headers: {
        Accept: "application/json",
        ...(init.json !== undefined ? { "Content-Type": "application/json" } : {}),
        ...init.headers,
      },
      body: init.json !== undefined ? JSON.stringify(init.json) : undefined,
    });
  } catch (error) {
    throw new TrackerApiError("unreachable", `the tracker could not be reached (${(error as Error).message})`);
  }
  if (response.status >= 200 && response.status < 300) return response;
  const retryAfter = retryAfterSeconds(response);
  if (response.status === 429 || (response.status === 403 && retryAfter !== null)) {
    throw new TrackerApiError("rate-limited", "the tracker's rate limit is reached; try again later", retryAfter);
  }
  if (response.status === 401 || response.status === 403) {
    throw new TrackerApiError("unauthorized", "the tracker refused the token (expired, revoked or without access)");
  }
  if (response.status === 404)
    throw new TrackerApiError("not-found", "the tracker has no such repository, project or item");
  throw new TrackerApiError("failed", `the tracker answered HTTP ${response.status}`);
}

function retryAfterSeconds(response: OutboundResponse): number | null {
  const after = Number(response.headers["retry-after"]);
  if (Number.isFinite(after) && after >= 0) return after;
  // GitHub's primary rate limit: 403 (or 429) with x-ratelimit-remaining: 0 and a reset time.
  if (response.headers["x-ratelimit-remaining"] === "0") {
    const reset = Number(response.headers["x-ratelimit-reset"]);
    return Number.isFinite(reset) ? Math.max(0, Math.ceil(reset - Date.now() / 1000)) : 60;
  }
  return null;
}

function json<T>(response: OutboundResponse): T {
  try {
    return JSON.parse(response.body) as T;
  } catch {
    throw new TrackerApiError("failed", "the tracker answered something that is not JSON");
  }
}

/** `<https://…?page=2>; rel="next", …` → the next page's URL. */
function nextLink(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header.join(",") : (header ?? "");
  return /<([^>]+)>\s*;\s*rel="next"/.exec(value)?.[1] ?? null;
}

function githubApi(config: TrackerConnectionConfig): TrackerApi {
  const root = config.baseUrl.replace(/\/+$/, "");
  const headers = {
    Authorization: `Bearer ${config.token}`,
    "X-GitHub-Api-Version": "2022-11-28",
    Accept: "application/vnd.github+json",
  };
  const repo = config.project;
  const issueNumber = (link: string | null) => {
    const number = link ? /\/issues\/(\d+)$/.exec(link)?.[1] : undefined;
    if (!number) throw new TrackerApiError("not-found", "the story has no GitHub issue link");
    return number;
  };
  return {
    async pull(filter) {
      const query = new URLSearchParams({ state: "all", per_page: "100" });
      if (filter.label) query.set("labels", filter.label);
      if (filter.milestone) query.set("milestone", filter.milestone);
      let url: string | null = `${root}/repos/${repo}/issues?${query}`;
      const items: TrackerItem[] = [];
      for (let page = 0; url && page < MAX_PAGES; page++) {
        const response = await call(url, { headers });
        items.push(...githubItems(repo, json<GithubRestIssue[]>(response), items.length + 1));
        // Only follow pages of the same API root: a hostile answer cannot send us elsewhere.
        const next = nextLink(response.headers.link);
        url = next && next.startsWith(`${root}/`) ? next : null;
      }
      return items;
    },
    async pushEstimate(item, estimate) {
      const issue = `${root}/repos/${repo}/issues/${issueNumber(item.link)}`;
      const label = sizeLabel("github", estimate.size);
      const current = json<{ name: string }[]>(await call(`${issue}/labels?per_page=100`, { headers }));
      for (const old of current.filter((l) => isSizeLabel(l.name) && l.name !== label)) {
        await call(`${issue}/labels/${encodeURIComponent(old.name)}`, { method: "DELETE", headers });
      }
      if (!current.some((l) => l.name === label))
        await call(`${issue}/labels`, { method: "POST", headers, json: { labels: [label] } });
      const body = githubComment(estimate);
      const comments = json<{ id: number; body?: string }[]>(await call(`${issue}/comments?per_page=100`, { headers }));
      const ours = comments.find((c) => commentIsOurs(c.body ?? ""));
      if (ours)
        await call(`${root}/repos/${repo}/issues/comments/${ours.id}`, { method: "PATCH", headers, json: { body } });
      else await call(`${issue}/comments`, { method: "POST", headers, json: { body } });
    },
  };
}

function jiraApi(config: TrackerConnectionConfig): TrackerApi {
  const site = config.baseUrl.replace(/\/+$/, "");
  const headers = {
    Authorization: `Basic ${Buffer.from(`${config.account ?? ""}:${config.token}`).toString("base64")}`,
  };
  return {
    async pull(filter) {
      const jql = filter.jql?.trim() || `project = "${config.project.replace(/"/g, "")}" ORDER BY rank`;
      const items: TrackerItem[] = [];
      let token: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const query = new URLSearchParams({ jql, fields: "summary,description,labels,status", maxResults: "100" });
        if (token) query.set("nextPageToken", token);
        const answer = json<{ issues?: JiraIssue[]; nextPageToken?: string; isLast?: boolean }>(
          await call(`${site}/rest/api/3/search/jql?${query}`, { headers }),
        );
        items.push(...jiraItems(site, answer.issues ?? [], items.length + 1));
        if (answer.isLast !== false || !answer.nextPageToken) break;
        token = answer.nextPageToken;
      }
      return items;
    },
    async pushEstimate(item, estimate) {
      if (!item.key) throw new TrackerApiError("not-found", "the story has no Jira key");
      const issue = `${site}/rest/api/3/issue/${encodeURIComponent(item.key)}`;
      const label = sizeLabel("jira", estimate.size);
      const current = json<JiraIssue>(await call(`${issue}?fields=labels`, { headers })).fields.labels ?? [];
      const changes = [
        ...current.filter((l) => isSizeLabel(l) && l !== label).map((l) => ({ remove: l })),
        ...(current.includes(label) ? [] : [{ add: label }]),
      ];
      if (changes.length) await call(issue, { method: "PUT", headers, json: { update: { labels: changes } } });
      const body = jiraComment(estimate);
      const comments = json<{ comments?: { id: string; body?: unknown }[] }>(
        await call(`${issue}/comment?maxResults=100`, { headers }),
      );
      const ours = (comments.comments ?? []).find((c) => commentIsOurs(adfText(c.body)));
      if (ours) await call(`${issue}/comment/${ours.id}`, { method: "PUT", headers, json: { body } });
      else await call(`${issue}/comment`, { method: "POST", headers, json: { body } });
    },
  };
}
