// One instance per process, even when a module is loaded twice (the server entry runs under tsx
// and the Remix server build bundles its own copy of app/; Vite's dev server re-imports on edit).
export function singleton<T>(name: string, create: () => T): T {
  const store = globalThis as unknown as { __tokenPoker?: Record<string, unknown> };
  store.__tokenPoker ??= {};
  if (!(name in store.__tokenPoker)) store.__tokenPoker[name] = create();
  return store.__tokenPoker[name] as T;
}

export function forgetSingleton(name: string): void {
  const store = globalThis as unknown as { __tokenPoker?: Record<string, unknown> };
  delete store.__tokenPoker?.[name];
}

/** Whether the singleton was made in this process (without making it). */
export function hasSingleton(name: string): boolean {
  const store = globalThis as unknown as { __tokenPoker?: Record<string, unknown> };
  return !!store.__tokenPoker && name in store.__tokenPoker;
}
