// The columns of an estimate that every reader of stories shows (the board, the backlog, the
// retrospective, a story's history, the tracker push): one list, so a new dimension or figure is
// added in one place. Spread it into a `select` over a query that joins `estimates`.

/** The three dimensions, the size band's name and its expected and p80 credits. */
export const ESTIMATE_FIGURES = [
  "estimates.intensity",
  "estimates.autonomy",
  "estimates.risk",
  "estimates.size",
  "estimates.expectedCredits",
  "estimates.p80Credits",
] as const;

/** The band's credit range the estimate froze (where the actual spend should land). */
export const ESTIMATE_BAND = ["estimates.bandLow", "estimates.bandHigh"] as const;
