// Outgoing webhooks (burn alerts). A slow or dead receiver must not hold up the request that
// triggered the alert for long, so every POST has a short timeout.

export type WebhookResult = { ok: true; status: number } | { ok: false; error: string };

export async function postJson(url: string, body: unknown, options: { timeoutMs?: number } = {}): Promise<WebhookResult> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 4_000);
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "User-Agent": "TokenPoker-Alerts/1" },
      body: JSON.stringify(body),
      signal: controller.signal,
      redirect: "error",
    });
    // Drain the body so the connection can be reused or closed.
    await res.arrayBuffer().catch(() => undefined);
    return res.ok ? { ok: true, status: res.status } : { ok: false, error: `HTTP ${res.status}` };
  } catch (error) {
    const e = error as Error;
    return { ok: false, error: e.name === "AbortError" ? "timed out" : (e.cause as Error | undefined)?.message ?? e.message };
  } finally {
    clearTimeout(timer);
  }
}

/** http(s) only: a webhook URL is typed by a manager and fetched by the server. */
export function isWebhookUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:";
  } catch {
    return false;
  }
}
