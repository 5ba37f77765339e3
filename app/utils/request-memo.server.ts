// One lookup per request (issue 15 item 4): the layout route and the page both ask who is signed
// in and what their membership is; Remix runs their loaders side by side, each with its own copy
// of the Request. The server entry runs every GET/HEAD inside `withRequestMemo`, and the first
// lookup's promise is shared by the rest of that request. Outside it (tests, a POST whose action
// may change the session or a role before the loaders run) every call looks up afresh.
import { AsyncLocalStorage } from "node:async_hooks";
import { singleton } from "~/utils/singleton.server";

// A singleton: the server entry (under tsx) and the Remix build (its own copy of app/) share it.
const storage = singleton("requestMemo", () => new AsyncLocalStorage<Map<string, Promise<unknown>>>());

/** Runs `fn` (the rest of one request's handling) with a memo of its own. */
export function withRequestMemo<T>(fn: () => T): T {
  return storage.run(new Map(), fn);
}

/** `lookup()` once per request and key; a failed lookup is not remembered. */
export function memoPerRequest<T>(key: string, lookup: () => Promise<T>): Promise<T> {
  const memo = storage.getStore();
  if (!memo) return lookup();
  const known = memo.get(key) as Promise<T> | undefined;
  if (known) return known;
  const promise = lookup();
  memo.set(key, promise);
  promise.catch(() => memo.delete(key));
  return promise;
}
