import path from "node:path";
import { z } from "zod";

// Environment, parsed once by zod. Every variable the app reads is here (and in the README).
const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: z.string().url().optional().or(z.literal("").transform(() => undefined)),
  PGLITE_DIR: z.string().min(1).default("./data/pglite"),
  SESSION_SECRET: z.string().min(16, "SESSION_SECRET must be at least 16 characters").optional(),
  SEED_DEMO: z.enum(["0", "1"]).default("1"),
  APP_ORIGIN: z.string().url().optional(),
  /** PostgreSQL connections per process (the cluster's primary sets it for its workers). */
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(1000).optional(),
  /** Workers on PostgreSQL (default: one per core); the embedded database is always one process. */
  WEB_CONCURRENCY: z.coerce.number().int().min(1).max(64).optional(),
});

export type Env = z.infer<typeof EnvSchema>;

export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  if (parsed.data.DATABASE_URL && !parsed.data.SESSION_SECRET) {
    throw new Error(
      "SESSION_SECRET is required when DATABASE_URL is set: every app instance must sign cookies with the same secret.",
    );
  }
  return parsed.data;
}

/** The folder that holds the embedded database and the files kept beside it (secret, demo password). */
export function dataDir(env: Env): string {
  return path.dirname(path.resolve(env.PGLITE_DIR));
}
