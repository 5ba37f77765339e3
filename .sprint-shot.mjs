import { chromium } from "playwright-core";
const base = process.env.BASE ?? "http://localhost:3217";
const pw = process.env.PW;
const pages = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
const ctx = await browser.newContext({ baseURL: base, viewport: { width: Number(process.env.W ?? 1280), height: 900 }, colorScheme: process.env.DARK ? "dark" : "light" });
const page = await ctx.newPage();
page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") console.log("console:", m.type(), m.text().slice(0, 300)); });
page.on("pageerror", (e) => console.log("pageerror:", e.message));
await page.goto("/login");
await page.getByLabel("E-mail").fill("demo@example.com");
await page.getByLabel("Password").fill(pw);
await page.getByRole("button", { name: "Log in" }).click();
await page.waitForURL("**/t/**");
for (const p of pages) {
  const [path, name] = p.split("=");
  await page.goto(path);
  await page.waitForTimeout(1200);
  await page.screenshot({ path: `/tmp/shots/${name}.png`, fullPage: true });
  console.log("shot", name);
}
await browser.close();
