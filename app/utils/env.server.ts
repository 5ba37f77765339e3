import path from "node:path";
import { z } from "zod";

// Environment, parsed once by zod. Every variable the app reads is here (and in the README).
const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: z
    .string()
    .url()
    .optional()
    .or(z.literal("").transform(() => undefined)),
  PGLITE_DIR: z.string().min(1).default("./data/pglite"),
  SESSION_SECRET: z.string().min(16, "SESSION_SECRET must be at least 16 characters").optional(),
  SEED_DEMO: z.enum(["0", "1"]).default("1"),
  APP_ORIGIN: z.string().url().optional(),
  // Mail for "Forgot password?" links (smtp:// or smtps://user:pass@host:port); unset: no mail, the
  // page sends people to a team manager or the operator instead.
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, "SMTP_URL must start with smtp:// or smtps://")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  SMTP_FROM: z.string().min(3).max(200).default("Token Poker <no-reply@localhost>"),
  // Sign-ups per client address and hour (sign-up tells whether an e-mail is taken).
  SIGNUP_MAX_PER_HOUR: z.coerce.number().int().min(1).max(1_000_000).default(20),
  // Poker guests: how many one guest link admits in all, and per minute.
  GUEST_MAX_PER_LINK: z.coerce.number().int().min(1).max(10_000).default(100),
  GUEST_MAX_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(60),
  /**
   * How often live rooms ping their streams, refresh presence and re-check the database for missed
   * changes; keep it well under the presence expiry (20 s) or present people show as away.
   */
  LIVE_HEARTBEAT_MS: z.coerce.number().int().min(1000).max(3_600_000).default(5_000),
  /** The most bytes of an ordinary form body (everything but the spend upload, team import and spend API). */
  MAX_FORM_BYTES: z.coerce
    .number()
    .int()
    .min(16 * 1024)
    .max(1024 * 1024 * 1024)
    .default(1024 * 1024),
  /** 1 lets burn-alert webhooks reach loopback and private addresses (read where they are sent). */
  WEBHOOK_ALLOW_PRIVATE: z.enum(["", "0", "1"]).default("0"),
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
  if (parsed.data.SMTP_URL && !parsed.data.APP_ORIGIN) {
    // A mailed link must not take its host from the request: a forged Host header would put an
    // attacker's site into the victim's reset mail.
    throw new Error("APP_ORIGIN is required when SMTP_URL is set: mailed reset links are built from it.");
  }
  return parsed.data;
}

/** The folder that holds the embedded database and the files kept beside it (secret, demo password). */
export function dataDir(env: Env): string {
  return path.dirname(path.resolve(env.PGLITE_DIR));
}
