// Long tasks on the embedded database (a large import's merge, a team import) run statement after
// statement on the server's own thread: PGlite executes each one synchronously inside this process.
// Awaiting a statement only lets promise callbacks run, not sockets or timers. `breathe` between
// statements gives the event loop a full turn, so a request that arrived meanwhile is answered
// (issue 15, item 6).

/** Lets timers, sockets and other requests run before the next statement of a long task. */
export const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));
