import { pingDatabase } from "~/models/health.server";
import { getServices } from "~/utils/database-and-secrets.server";

// Load balancers and the README's smoke check: 200 when the database answers, 503 when not.
export async function loader() {
  const started = Date.now();
  try {
    const { db, database } = await getServices();
    await pingDatabase(db);
    return Response.json({ ok: true, database: database.kind, ms: Date.now() - started });
  } catch (error) {
    return Response.json(
      { ok: false, error: error instanceof Error ? error.message : "database unreachable" },
      { status: 503 },
    );
  }
}
