import { describe, expect, it } from "vitest";
import { DEFAULT_SCHEME } from "~/domain/sizing-scheme";
import { readTeamExport, TEAM_EXPORT_FORMAT, type TeamExportInput } from "~/domain/team-export";

const AT = "2026-11-28T10:00:00.000Z";
const ANA = "ana@example.com";

/**
 * A small document with one of most things, every reference resolving; written as an older version-1
 * document, without the fields added later (they take their defaults).
 */
function sample(): TeamExportInput {
  return {
    format: TEAM_EXPORT_FORMAT,
    version: 1,
    exportedAt: AT,
    team: {
      name: "Payments",
      slug: "payments",
      timeZone: "Europe/Berlin",
      keyPattern: "[A-Z][A-Z0-9]+-\\d+",
      creditValueUsd: 0.01,
      createdAt: AT,
    },
    people: [
      { email: ANA, name: "Ana", role: "owner" },
      { email: "ben@example.com", name: "Ben", role: null },
    ],
    sizingSchemes: [
      {
        version: 1,
        scheme: DEFAULT_SCHEME,
        contentHash: "0123456789abcdef",
        note: "Defaults",
        createdBy: null,
        createdAt: AT,
      },
    ],
    rates: [],
    stories: [
      {
        ref: 1,
        key: "PAY-1",
        title: "One",
        link: "https://tracker.example.com/PAY-1",
        labels: ["api"],
        description: "",
        status: "estimated",
        rank: "a",
        estimateRef: 1,
        archivedAt: null,
        createdAt: AT,
        updatedAt: AT,
      },
      {
        ref: 2,
        key: null,
        title: "Two",
        link: null,
        labels: [],
        description: "",
        status: "backlog",
        rank: "b",
        estimateRef: null,
        archivedAt: null,
        createdAt: AT,
        updatedAt: AT,
      },
    ],
    estimates: [
      {
        ref: 1,
        storyRef: 1,
        schemeVersion: 1,
        intensity: "light",
        autonomy: "pair",
        risk: "low",
        size: "XS",
        expectedCredits: 15,
        p80Credits: 22.5,
        bandLow: 0,
        bandHigh: 25,
        source: "session",
        pokerSessionRef: 1,
        rounds: [],
        createdBy: ANA,
        createdAt: AT,
      },
    ],
    storyOutcomes: [],
    pokerSessions: [
      {
        ref: 1,
        name: "Planning",
        status: "ended",
        autoReveal: false,
        timerSeconds: null,
        allowAhead: false,
        guestLink: false,
        schemeVersion: 1,
        facilitator: ANA,
        currentItemRef: 1,
        seq: 9,
        createdBy: ANA,
        createdAt: AT,
        endedAt: AT,
        participants: [
          { ref: 1, person: ANA, displayName: "Ana", role: "voter", lastSeenAt: AT, leftAt: AT, createdAt: AT },
        ],
        items: [
          {
            ref: 1,
            storyRef: 1,
            rank: "a",
            status: "finalized",
            roundNumber: 1,
            split: false,
            estimateRef: 1,
            createdAt: AT,
            rounds: [
              {
                number: 1,
                status: "revealed",
                timerEndsAt: null,
                startedAt: AT,
                revealedAt: AT,
                votes: [
                  { participantRef: 1, dimension: "intensity", value: "light", clientTs: 1, updatedAt: AT },
                  { participantRef: 1, dimension: "risk", value: "?", clientTs: 1, updatedAt: AT },
                ],
              },
            ],
          },
        ],
      },
    ],
    sprints: [
      {
        ref: 1,
        name: "Sprint 1",
        goal: "",
        startDate: "2026-11-23",
        endDate: "2026-12-04",
        capacityKind: "credits",
        capacityCredits: 1000,
        poolPlan: null,
        poolSeats: null,
        poolPerSeat: null,
        reservePercent: 10,
        commitBasis: "expected",
        exhaustionPolicy: "warn",
        closedAt: null,
        closedBy: null,
        snapshot: null,
        createdBy: "ben@example.com",
        createdAt: AT,
        updatedAt: AT,
        stories: [{ storyRef: 1, committedBy: ANA, committedAt: AT, outcome: null }],
        allocations: [{ person: ANA, credits: 500 }],
        commitRequests: [],
        events: [{ storyRef: 1, actor: ANA, kind: "committed", message: "Committed PAY-1", createdAt: AT }],
        alerts: [],
      },
    ],
    spendImports: [],
    spendEntries: [],
    spendIdentities: [{ identity: "ana-gh", person: ANA, createdBy: null, createdAt: AT }],
    spendSessionStories: [],
  };
}

/** A spend entry as an older document writes it (no 1-hour cache writes, fast mode, product or rank). */
const entry = (): TeamExportInput["spendEntries"][number] => ({
  importRef: null,
  source: "manual",
  occurredAt: AT,
  day: "2026-11-28",
  model: null,
  modelId: null,
  inputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  outputTokens: 0,
  costUsd: null,
  credits: 5,
  pricedBy: null,
  poolCredits: null,
  paidCredits: null,
  externalUser: null,
  sessionId: null,
  repository: null,
  storyKey: null,
  storyRef: 1,
  aggregated: false,
  dedupeKey: "manual-1",
  note: null,
  createdBy: ANA,
  createdAt: AT,
  updatedAt: AT,
});

const read = (doc: unknown) => readTeamExport(JSON.stringify(doc));
const errorsOf = (doc: unknown) => {
  const result = read(doc);
  return result.ok ? [] : result.errors;
};
function forged(change: (doc: TeamExportInput) => void): TeamExportInput {
  const doc = sample();
  change(doc);
  return doc;
}

describe("team export document", () => {
  it("reads an older document without the later fields, giving them their defaults", () => {
    const result = read(sample());
    expect(result.ok ? [] : result.errors).toEqual([]);
    const s = sample();
    expect(result.ok && result.doc).toEqual({
      ...s,
      team: { ...s.team, guardFailClosed: false },
      stories: s.stories.map((x) => ({ ...x, trackerClosed: false })),
      budgetExtensions: [],
      otlpSessions: [],
    });
  });

  it("reads the later fields as they were written", () => {
    const doc = forged((d) => {
      d.team.guardFailClosed = true;
      d.stories[0]!.trackerClosed = true;
      d.budgetExtensions = [
        { storyRef: 1, sprintRef: 1, credits: 40, reason: "Retry storm", createdBy: ANA, createdAt: AT },
      ];
      d.otlpSessions = [{ sessionId: "s-1", signal: "events", createdAt: AT, updatedAt: AT }];
      d.spendEntries = [
        entry(),
        {
          ...entry(),
          dedupeKey: "manual-2",
          cacheWrite1hTokens: 7,
          fast: true,
          product: "spark",
          usageRank: "18446744073709551617",
        },
      ];
    });
    const result = read(doc);
    expect(result.ok ? [] : result.errors).toEqual([]);
    expect(result.ok && result.doc.budgetExtensions).toEqual(doc.budgetExtensions);
    expect(result.ok && result.doc.otlpSessions).toEqual(doc.otlpSessions);
    expect(result.ok && [result.doc.team.guardFailClosed, result.doc.stories[0]!.trackerClosed]).toEqual([true, true]);
    expect(
      result.ok && result.doc.spendEntries.map((e) => [e.cacheWrite1hTokens, e.fast, e.product, e.usageRank]),
    ).toEqual([
      [0, false, null, null],
      [7, true, "spark", "18446744073709551617"],
    ]);
  });

  it("says what is wrong with the file itself", () => {
    const broken = readTeamExport("[1, 2");
    expect(broken.ok ? [] : broken.errors).toEqual([expect.stringMatching(/^The file is not JSON/)]);
    expect(errorsOf({ hello: "world" })).toEqual([expect.stringMatching(/not a Token Poker team export/)]);
    expect(errorsOf({ ...sample(), version: 2 })).toEqual([
      expect.stringMatching(/version 2; this Token Poker reads version 1/),
    ]);
  });

  it.each<[string, (doc: TeamExportInput) => void, RegExp]>([
    [
      "a story that is not there",
      (d) => void (d.sprints[0]!.stories[0]!.storyRef = 7),
      /sprints\[0\]\.stories\[0\]\.storyRef: points at story 7/,
    ],
    [
      "another story's estimate as the current one",
      (d) => void (d.stories[1]!.estimateRef = 1),
      /stories\[1\]\.estimateRef: .*not one of this story's estimates/,
    ],
    [
      "a person not in people",
      (d) => void (d.estimates[0]!.createdBy = "eve@example.com"),
      /estimates\[0\]\.createdBy: names "eve@example.com"/,
    ],
    ["a scheme version not in the file", (d) => void (d.estimates[0]!.schemeVersion = 3), /scheme version 3/],
    [
      "a level the scheme does not have",
      (d) => void (d.estimates[0]!.intensity = "galactic"),
      /"galactic" is not a intensity level/,
    ],
    [
      "a vote by someone outside the session",
      (d) => void (d.pokerSessions[0]!.items[0]!.rounds[0]!.votes[0]!.participantRef = 5),
      /participant 5, who is not in this session/,
    ],
    [
      "a card not in the deck",
      (d) => void (d.pokerSessions[0]!.items[0]!.rounds[0]!.votes[1]!.value = "extreme"),
      /"extreme" is not a risk card/,
    ],
    ["two stories with one rank", (d) => void (d.stories[1]!.rank = "a"), /stories\[1\]\.rank: repeats the rank "a"/],
    ["a repeated ref", (d) => void (d.stories[1]!.ref = 1), /stories\[1\]\.ref: repeats story ref 1/],
    ["NUL in a title", (d) => void (d.stories[0]!.title = "a\u0000b"), /stories\[0\]\.title: contains a NUL character/],
    [
      "a script link",
      (d) => void (d.stories[0]!.link = "javascript:alert(1)"),
      /stories\[0\]\.link: is not an http\(s\) link/,
    ],
    [
      "a key pattern with a back-reference",
      (d) => void (d.team.keyPattern = "(a)\\1"),
      /team\.keyPattern: Back-references/,
    ],
    [
      "a time zone that is not one",
      (d) => void (d.team.timeZone = "Mars/Olympus"),
      /team\.timeZone: is not a time zone/,
    ],
    [
      "an unusable sizing scheme",
      (d) => void (d.sizingSchemes[0]!.scheme = { ...DEFAULT_SCHEME, p80Multiplier: [0.5, 2, 3] }),
      /p80Multiplier\[0\]/,
    ],
    [
      "a sprint that ends before it starts",
      (d) => void (d.sprints[0]!.endDate = "2026-11-01"),
      /sprints\[0\]\.endDate: is before the start date/,
    ],
    ["an impossible date", (d) => void (d.sprints[0]!.startDate = "2026-02-30"), /sprints\[0\]\.startDate/],
    [
      "an identity as the tool did not write it",
      (d) => void (d.spendIdentities[0]!.identity = " Ana-GH "),
      /must be lower case/,
    ],
    [
      "an allocation for nobody",
      (d) => void ((d.sprints[0]!.allocations[0] as { person: unknown }).person = null),
      /allocations\[0\]\.person/,
    ],
    [
      "a budget extension for a story not there",
      (d) =>
        void (d.budgetExtensions = [
          { storyRef: 9, sprintRef: null, credits: 1, reason: "x", createdBy: null, createdAt: AT },
        ]),
      /budgetExtensions\[0\]\.storyRef: points at story 9/,
    ],
    [
      "a budget extension of no credits",
      (d) =>
        void (d.budgetExtensions = [
          { storyRef: 1, sprintRef: null, credits: 0, reason: "x", createdBy: null, createdAt: AT },
        ]),
      /budgetExtensions\[0\]\.credits/,
    ],
    [
      "an OpenTelemetry session twice",
      (d) =>
        void (d.otlpSessions = [1, 2].map(() => ({
          sessionId: "s",
          signal: "events" as const,
          createdAt: AT,
          updatedAt: AT,
        }))),
      /otlpSessions\[1\]\.sessionId: repeats the session/,
    ],
    [
      "a usage rank that is not a number",
      (d) => void (d.spendEntries = [{ ...entry(), usageRank: "1e5" }]),
      /spendEntries\[0\]\.usageRank/,
    ],
    [
      "a number as text",
      (d) => void ((d.estimates[0] as { expectedCredits: unknown }).expectedCredits = "15"),
      /estimates\[0\]\.expectedCredits/,
    ],
  ])("refuses %s", (_, change, message) => {
    const errors = errorsOf(forged(change));
    expect(
      errors.some((e) => message.test(e)),
      errors.join("\n"),
    ).toBe(true);
  });

  it("lists the first 20 problems and counts the rest", () => {
    const doc = forged((d) => {
      for (let i = 0; i < 30; i++) d.stories.push({ ...d.stories[1]!, ref: 100 + i, rank: `r${i}`, title: "" });
    });
    const errors = errorsOf(doc);
    expect(errors).toHaveLength(21);
    expect(errors[20]).toBe("… and 10 more.");
  });
});
