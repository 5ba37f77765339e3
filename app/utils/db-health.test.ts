import { afterEach, expect, it, vi } from "vitest";
import { isDatabaseDown, noteQueryError, noteQuerySuccess } from "~/utils/db-health.server";
import { forgetSingleton } from "~/utils/singleton.server";

const poolWait = () => new Error("timeout exceeded when trying to connect");

afterEach(() => {
  vi.useRealTimers();
  forgetSingleton("db-health");
});

it("does not call a busy pool an outage: a pool wait timing out while queries succeed leaves pages served", () => {
  vi.useFakeTimers({ now: 1_000_000 });
  vi.spyOn(console, "error").mockImplementation(() => {});
  noteQuerySuccess();
  vi.advanceTimersByTime(2000);
  noteQueryError(poolWait());
  expect(isDatabaseDown()).toBe(false);
});

it("calls it an outage when no query succeeded lately, and for a connection that cannot be opened", () => {
  vi.useFakeTimers({ now: 1_000_000 });
  vi.spyOn(console, "error").mockImplementation(() => {});
  noteQuerySuccess();
  vi.advanceTimersByTime(10_000);
  noteQueryError(poolWait());
  expect(isDatabaseDown()).toBe(true);
  noteQuerySuccess();
  expect(isDatabaseDown()).toBe(false);
  noteQueryError(new Error("Connection terminated due to connection timeout"));
  expect(isDatabaseDown()).toBe(true);
});
