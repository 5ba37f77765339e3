import { parse, protocol, type PGlite, type Results } from "@electric-sql/pglite";
import { CACHED_PLAN_CHANGED, worthPreparing } from "~/utils/statement-reuse.server";

// PGlite's `query` parses, analyses and plans every statement afresh, on the server's own thread:
// for most of a page's statements that is more than running them (the planner alone looks up every
// relation's size in the file system). So the statements Kysely sends are prepared once, as named
// statements of the one PGlite session, and later only bound and executed — what postgres.js and
// JDBC drivers do by default. PostgreSQL keeps each one valid by itself: a change to a table it
// reads re-analyses it, and after five runs it plans once for all parameters only when that plan
// is estimated no worse than the ones made for the actual values (plan_cache_mode = auto).

const { serialize } = protocol;

/** Statements kept per database; the least recently used one is closed to make room. */
const MAX_STATEMENTS = 300;

interface Prepared {
  name: string;
  /** Parameter type oids, for PGlite's serializers (what its own `query` asks Describe for). */
  paramTypes: number[];
}

/** PGlite's members this module runs through: its query mutexes and its type (de)serializers. */
interface PGliteInternals {
  _runExclusiveTransaction<T>(fn: () => Promise<T>): Promise<T>;
  _runExclusiveQuery<T>(fn: () => Promise<T>): Promise<T>;
  serializers: Record<number, (value: unknown) => string>;
  parsers: Record<number, (value: string, typeId?: number) => unknown>;
}

export interface StatementCache {
  query<T>(sql: string, params: readonly unknown[]): Promise<Results<T>>;
}

export function statementCache(pglite: PGlite): StatementCache {
  const internals = pglite as unknown as PGliteInternals;
  const statements = new Map<string, Prepared>();
  let counter = 0;
  const exchange = (message: Uint8Array) => pglite.execProtocolStream(message, { syncToFs: false });

  async function prepare(sql: string): Promise<Prepared> {
    if (statements.size >= MAX_STATEMENTS) {
      const [oldest, { name }] = statements.entries().next().value!;
      statements.delete(oldest);
      await exchange(serialize.close({ type: "S", name }));
    }
    const name = `tp_${++counter}`;
    await exchange(serialize.parse({ name, text: sql }));
    const paramTypes = parse.parseDescribeStatementResults(await exchange(serialize.describe({ type: "S", name })));
    const prepared = { name, paramTypes };
    statements.set(sql, prepared);
    return prepared;
  }

  async function run<T>(sql: string, params: readonly unknown[]): Promise<Results<T>> {
    const messages = [];
    let stale: string | undefined;
    try {
      let prepared = statements.get(sql);
      if (prepared) {
        // Most recently used last: the first entry is the one to close.
        statements.delete(sql);
        statements.set(sql, prepared);
      } else {
        prepared = await prepare(sql);
      }
      const values = params.map((value, i) => {
        if (value === null || value === undefined) return null;
        const serializer = internals.serializers[prepared.paramTypes[i]!];
        return serializer ? serializer(value) : String(value);
      });
      messages.push(...(await exchange(serialize.bind({ statement: prepared.name, values }))));
      messages.push(...(await exchange(serialize.describe({ type: "P" }))));
      messages.push(...(await exchange(serialize.execute({}))));
    } catch (error) {
      if ((error as { code?: string }).code === CACHED_PLAN_CHANGED) {
        stale = statements.get(sql)?.name;
        statements.delete(sql);
      }
      throw Object.assign(error as object, { query: sql, params });
    } finally {
      messages.push(...(await exchange(serialize.sync())));
      // After the sync: until then the server ignores everything after an error.
      if (stale) {
        await exchange(serialize.close({ type: "S", name: stale }));
        await exchange(serialize.sync());
      }
    }
    await pglite.syncToFs();
    return parse.parseResults(messages, internals.parsers)[0] as Results<T>;
  }

  return {
    async query<T>(sql: string, params: readonly unknown[]) {
      if (!worthPreparing(sql, params.length)) return pglite.query<T>(sql, [...params]);
      await pglite.waitReady;
      // The same two locks PGlite's own `query` takes: one statement at a time, none inside
      // someone else's `transaction()`.
      return internals._runExclusiveTransaction(() => internals._runExclusiveQuery(() => run<T>(sql, params)));
    },
  };
}
