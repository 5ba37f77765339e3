import type pg from "pg";
import { CACHED_PLAN_CHANGED, worthPreparing } from "~/utils/statement-reuse.server";

// PostgreSQL parses, analyses and plans an unnamed statement on every run. node-postgres prepares
// a statement once per connection when the query has a name, and from then on only binds and runs
// it; PostgreSQL keeps it valid itself (a change to a table re-analyses it; after five runs it
// plans once for all parameters only when that plan is estimated no worse). So the pool Kysely
// gets names the statements it can reuse. The embedded database does the same on its own
// (pglite-statements.server.ts).

/** Texts named per process; past that, statements go unnamed (each name is prepared on every connection that runs it). */
const MAX_NAMED = 200;

type Queryable = Pick<pg.PoolClient, "query" | "release">;

/** The subset of a pg pool Kysely's PostgresDialect uses, naming the statements worth preparing. */
export function namingStatements(pool: pg.Pool) {
  const names = new Map<string, string>();
  let named = 0;
  /** Texts whose prepared form broke (a table changed under it): unnamed from then on. */
  const unnamed = new Set<string>();

  function nameOf(text: string, values: unknown[] | undefined): string | undefined {
    if (unnamed.has(text) || !worthPreparing(text, values?.length ?? 0)) return undefined;
    const known = names.get(text);
    if (known || named >= MAX_NAMED) return known;
    // Never reused: a connection may still hold a name whose text was given up.
    const name = `tp_${++named}`;
    names.set(text, name);
    return name;
  }

  function wrap(client: pg.PoolClient): Queryable {
    return {
      query: ((textOrConfig: unknown, values?: unknown[]) => {
        const name = typeof textOrConfig === "string" ? nameOf(textOrConfig, values) : undefined;
        if (!name) return (client.query as (...args: unknown[]) => unknown)(textOrConfig, values);
        const text = textOrConfig as string;
        return client.query({ name, text, values }).catch((error: { code?: string }) => {
          if (error.code === CACHED_PLAN_CHANGED) {
            names.delete(text);
            unnamed.add(text);
          }
          throw error;
        });
      }) as pg.PoolClient["query"],
      release: (destroy?: boolean | Error) => client.release(destroy),
    };
  }

  return {
    connect: async () => wrap(await pool.connect()),
    end: () => pool.end(),
  };
}
