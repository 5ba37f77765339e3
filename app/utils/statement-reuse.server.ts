// Which statements both engines prepare once per connection and then only bind and run
// (pglite-statements.server.ts, pg-statements.server.ts): reads and writes that may well repeat.

/** Longer texts (bulk inserts) rarely repeat. */
const MAX_TEXT = 8_000;
/** Many parameters are mostly a list (`in ($1, …, $n)`) whose length varies: a text per length. */
const MAX_PARAMS = 16;
/** Reads and writes; not transaction control, settings or DDL, which have no plan to keep. */
const PLANNABLE = /^\s*(?:--[^\n]*\n\s*)*(?:select|with|insert|update|delete)\b/i;

export function worthPreparing(text: string, paramCount: number): boolean {
  return text.length <= MAX_TEXT && paramCount <= MAX_PARAMS && PLANNABLE.test(text);
}

/**
 * PostgreSQL's answer when a table changed its columns under a prepared statement: it will not
 * change a statement's result type. The statement is given up and runs unprepared from then on.
 */
export const CACHED_PLAN_CHANGED = "0A000";
