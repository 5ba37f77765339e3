import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server";
import { createTeam, signUp } from "../helpers/team-fixture";
import { uploadSpend, waitFor } from "../helpers/writers";

// A team's burn-alert webhook pointing at the server's own machine (issue 12): through the built
// server, a sprint crossing 75 % must not reach a receiver on 127.0.0.1, and what the team can read
// back (the team export) says only that the webhook could not be delivered.

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

describe("burn-alert webhooks to internal addresses", () => {
  let server: TestServer;
  let receiver: http.Server;
  let received = 0;

  beforeAll(async () => {
    receiver = http.createServer((_req, res) => {
      received++;
      res.writeHead(200).end("ok");
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    server = await startTestServer({ env: { WEBHOOK_ALLOW_PRIVATE: "0" } });
  });
  afterAll(async () => {
    await server?.stop();
    await new Promise((r) => receiver?.close(r));
  });

  it("are refused, and the team is told only that the webhook could not be delivered", async () => {
    const port = (receiver.address() as AddressInfo).port;
    const owner = await signUp(server.url, "Hook Hana");
    await createTeam(owner, "Hooks", "hooks");
    const settings = await owner.post("/t/hooks/settings?index", {
      name: "Hooks",
      timeZone: "UTC",
      keyPattern: "[A-Z][A-Z0-9]+-\\d+",
      webhookUrl: `http://localhost:${port}/hook`,
    });
    expect(settings.status).toBeLessThan(400);
    const sprint = await owner.post("/t/hooks/sprints/new", {
      name: "Now",
      goal: "",
      start: day(-1),
      end: day(13),
      capacityKind: "credits",
      capacityCredits: "100",
      reservePercent: "0",
      commitBasis: "expected",
      exhaustionPolicy: "warn",
    });
    expect(sprint.status, await sprint.clone().text()).toBe(302);
    const sprintUrl = sprint.headers.get("location")!;

    // 90 credits of today's spend: 90 % of the sprint, past the 75 % and 90 % thresholds.
    const csv = Buffer.from(
      "date,username,product,sku,model,quantity,unit_type,applied_cost_per_quantity,gross_amount,discount_amount,net_amount,total_monthly_quota,organization,repository,cost_center_name\n" +
        `${day(0)},hana,copilot,copilot_ai_credit,Claude Sonnet 4.6,90,ai-credits,0.01,0.9,0.9,0,1900,acme,acme/app,Eng\n`,
    );
    const upload = await uploadSpend(server.url, owner.cookie, "hooks", "usage.csv", csv).response;
    expect(upload.status).toBe(200);
    expect((await owner.request(sprintUrl)).status).toBe(200); // the page checks the thresholds too

    const alert = await waitFor("the alert's delivery to be recorded", async () => {
      const doc = (await (await owner.request("/t/hooks/settings/export.json")).json()) as Record<string, unknown>;
      const text = JSON.stringify(doc);
      const error = /"webhookError":"(the webhook[^"]*)"/.exec(text)?.[1];
      return error ? { error, text } : null;
    });
    expect(alert.error).toBe("the webhook could not be delivered");
    expect(alert.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|localhost/);
    expect(received).toBe(0);
    expect(server.output()).toMatch(/\[webhook\] delivery to http:\/\/localhost:\d+ failed: refused/);
  });
});
