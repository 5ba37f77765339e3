import http from "node:http";
import type { AddressInfo } from "node:net";
import { beforeEach, expect, it, vi } from "vitest";
import { checkOrganisationAlerts, listTeamOrganisationAlerts } from "~/models/organisation-alert.server";
import { setTeamWebhook } from "~/models/sprint-alert.server";
import { describeDb } from "../helpers/db";
import { addSpend, makeOrganisation, setMonthPool } from "../helpers/org-fixture";

const now = new Date("2026-12-10T12:00:00Z");

describeDb("organisation alerts", (t) => {
  beforeEach(() => void vi.stubEnv("WEBHOOK_ALLOW_PRIVATE", "1"));

  it("records each threshold of the pool and of each allocation once, and posts the highest to the team's webhook", async () => {
    const made = await makeOrganisation(t.db, { teams: 2 });
    const [a, b] = made.teams.map((x) => x.team);
    await setMonthPool(t.db, {
      organisationId: made.org.id,
      month: "2026-12",
      fixedCredits: 1_000,
      allocations: [
        [a!.id, 400],
        [b!.id, 400],
      ],
    });
    const received: Record<string, unknown>[] = [];
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        received.push(JSON.parse(body));
        res.writeHead(200).end("ok");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      await setTeamWebhook(t.db, {
        teamId: a!.id,
        webhookUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
      });
      const check = () => checkOrganisationAlerts(t.db, { teamId: a!.id, now, origin: "http://poker.test" });

      await addSpend(t.db, { teamId: a!.id, at: "2026-12-02T09:00:00Z", credits: 250 }); // 62 % of A's 400
      expect(await check()).toMatchObject({ claimed: [], posted: [] });

      // A jumps to 95 % of its allocation: one message, for 90; 75 is covered by it.
      await addSpend(t.db, { teamId: a!.id, at: "2026-12-03T09:00:00Z", credits: 130 });
      const second = await check();
      expect(second!.claimed).toEqual([`allocation:${a!.id}:75`, `allocation:${a!.id}:90`]);
      expect(received).toHaveLength(1);
      expect(received[0]!.text).toMatch(/reached 90 % of its 2026-12 allocation: 380 of 400 credits spent/);
      expect(received[0]!.text).toContain(`<http://poker.test/o/${made.org.slug}|Open the organisation>`);

      // Twice at once: nothing new.
      await Promise.all([check(), check()]);
      expect(received).toHaveLength(1);

      // B's spend takes the pool to 80 %: the pool alert is recorded (the organisation has no webhook).
      await addSpend(t.db, { teamId: b!.id, at: "2026-12-04T09:00:00Z", credits: 420 });
      const third = await check();
      expect(third!.claimed).toEqual(
        expect.arrayContaining([
          "pool:75",
          `allocation:${b!.id}:75`,
          `allocation:${b!.id}:90`,
          `allocation:${b!.id}:100`,
        ]),
      );
      expect(received).toHaveLength(1);

      // Spend of November does not count for December.
      await addSpend(t.db, { teamId: a!.id, at: "2026-11-30T23:00:00Z", credits: 10_000 });
      expect((await check())!.claimed).toEqual([]);

      expect(await listTeamOrganisationAlerts(t.db, { teamId: a!.id, now })).toMatchObject({
        month: "2026-12",
        pool: { threshold: 75 },
        allocation: { threshold: 90 },
      });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it("does nothing for a team in no organisation, or a month without a pool", async () => {
    const made = await makeOrganisation(t.db, { teams: 1 });
    await addSpend(t.db, { teamId: made.teams[0]!.team.id, at: "2026-12-02T09:00:00Z", credits: 999 });
    expect(await checkOrganisationAlerts(t.db, { teamId: made.teams[0]!.team.id, now })).toBeNull();
  });
});
