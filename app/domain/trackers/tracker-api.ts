// The trackers' API answers, as tracker items, and the estimate we write back: pure mapping, so the
// clients (app/utils/tracker-api.server.ts) only move bytes. Shapes follow the vendors' documented
// responses: GitHub's REST "List repository issues" and Jira Cloud's "Search for issues using JQL
// (enhanced search)" (/rest/api/3/search/jql). Recorded examples are in tests/fixtures/trackers/api/.

import { formatCredits } from "~/domain/credits";
import type { TrackerItem } from "~/domain/trackers/tracker-file";

export type TrackerKind = "github" | "jira";

export interface GithubRestIssue {
  number: number;
  title: string;
  body?: string | null;
  html_url: string;
  state: "open" | "closed";
  labels?: (string | { name?: string })[];
  /** Present on pull requests, which the issues endpoint lists too. */
  pull_request?: unknown;
}

export interface JiraIssue {
  key: string;
  fields: {
    summary?: string;
    description?: unknown;
    labels?: string[];
    status?: { name?: string; statusCategory?: { key?: string } };
  };
}

const clip = (text: string, max: number) => (text.length > max ? text.slice(0, max) : text);
const labelsOf = (labels: (string | { name?: string })[] = []) => [
  ...new Set(
    labels
      .map((l) => (typeof l === "string" ? l : (l.name ?? "")))
      .map((l) => l.trim().toLowerCase())
      .filter(Boolean),
  ),
];

/** `acme/pay-api` + #41 → `PAYAPI-41`, the same key the `gh` JSON import gives. */
export function githubKey(repo: string, number: number): string {
  const prefix = (repo.split("/")[1] ?? "GH").toUpperCase().replace(/[^A-Z0-9]/g, "");
  return /^[A-Z]/.test(prefix) ? `${prefix.slice(0, 20)}-${number}` : `GH-${number}`;
}

export function githubItems(repo: string, issues: GithubRestIssue[], firstLine = 1): TrackerItem[] {
  return issues
    .filter((i) => !i.pull_request)
    .map((i, n) => ({
      line: firstLine + n,
      key: githubKey(repo, i.number),
      title: clip(i.title.replace(/\s+/g, " ").trim(), 300),
      link: i.html_url,
      labels: labelsOf(i.labels),
      description: clip((i.body ?? "").replace(/\r\n?/g, "\n").trim(), 20_000),
      closed: i.state === "closed",
    }));
}

/** Plain text of an Atlassian Document Format value (Jira Cloud's rich text), paragraphs on lines. */
export function adfText(node: unknown): string {
  if (typeof node === "string") return node;
  if (!node || typeof node !== "object") return "";
  const n = node as { type?: string; text?: string; content?: unknown[] };
  if (n.type === "text") return n.text ?? "";
  if (n.type === "hardBreak") return "\n";
  const inner = (n.content ?? []).map(adfText).join("");
  return ["paragraph", "heading", "listItem", "codeBlock", "blockquote"].includes(n.type ?? "") ? `${inner}\n` : inner;
}

export function jiraItems(site: string, issues: JiraIssue[], firstLine = 1): TrackerItem[] {
  const base = site.endsWith("/") ? site : `${site}/`;
  return issues.map((i, n) => ({
    line: firstLine + n,
    key: i.key,
    title: clip((i.fields.summary ?? "").replace(/\s+/g, " ").trim(), 300),
    link: new URL(`browse/${encodeURIComponent(i.key)}`, base).toString(),
    labels: labelsOf(i.fields.labels),
    description: clip(
      adfText(i.fields.description)
        .replace(/\n{3,}/g, "\n\n")
        .trim(),
      20_000,
    ),
    closed: i.fields.status?.statusCategory?.key === "done",
  }));
}

export interface PushedEstimate {
  size: string;
  intensity: string;
  autonomy: string;
  risk: string;
  expectedCredits: number;
  p80Credits: number;
  schemeVersion: number;
}

/** Marks our comment so a re-estimate replaces it instead of adding another. */
export const COMMENT_MARKER = "token-poker:estimate";
export const SIZE_LABEL_PREFIX = "ai-size";

/** `ai-size:M` on GitHub; Jira labels cannot hold every character, so `ai-size-M` there. */
export function sizeLabel(kind: TrackerKind, size: string): string {
  const clean = size.replace(/[^A-Za-z0-9+]/g, "");
  return kind === "github" ? `${SIZE_LABEL_PREFIX}:${clean}` : `${SIZE_LABEL_PREFIX}-${clean}`;
}

export const isSizeLabel = (label: string) => /^ai-size[:-]/i.test(label);

export function estimateLines(e: PushedEstimate): string[] {
  return [
    `AI size ${e.size}: expected ${formatCredits(e.expectedCredits)} credits, p80 ${formatCredits(e.p80Credits)} credits.`,
    `Model intensity ${e.intensity} · autonomy ${e.autonomy} · budget risk ${e.risk} (sizing scheme v${e.schemeVersion}).`,
  ];
}

/** GitHub comment body (Markdown); the marker is an HTML comment, invisible on the page. */
export function githubComment(e: PushedEstimate): string {
  return [`<!-- ${COMMENT_MARKER} -->`, "**Token Poker estimate**", "", ...estimateLines(e)].join("\n");
}

/** Jira Cloud comment body (ADF); the marker is a short last paragraph. */
export function jiraComment(e: PushedEstimate): unknown {
  const paragraph = (text: string) => ({ type: "paragraph", content: [{ type: "text", text }] });
  return {
    type: "doc",
    version: 1,
    content: [paragraph("Token Poker estimate"), ...estimateLines(e).map(paragraph), paragraph(`[${COMMENT_MARKER}]`)],
  };
}

export const commentIsOurs = (text: string) => text.includes(COMMENT_MARKER);
