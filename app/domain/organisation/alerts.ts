// Spend alerts at organisation level: 75, 90 and 100 % of the month's pool and of each team's
// allocation. Each threshold alerts once per month and subject; the caller stores what it sent and
// passes it back as `alreadyAlerted`.

import { THRESHOLDS, type Threshold } from "../capacity";

export { THRESHOLDS as ALERT_THRESHOLDS, type Threshold };

/**
 * Thresholds (75/90/100) that `spent` has reached of `limit`, ascending. Nothing is crossed while
 * nothing is spent — even with a limit of 0 — and with a limit of 0 any spend crosses all three.
 * A non-finite or negative input is a programming error and throws.
 */
export function alertLevels(spent: number, limit: number): Threshold[] {
  if (!Number.isFinite(spent) || !Number.isFinite(limit) || limit < 0) {
    throw new RangeError(`alertLevels needs finite spend and a limit ≥ 0, got ${spent} / ${limit}`);
  }
  if (spent <= 0) return [];
  // spent × 100 ≥ limit × t avoids the division (and its rounding) at exactly 75 %.
  return THRESHOLDS.filter((t) => spent * 100 >= limit * t);
}

/** The crossed thresholds not yet alerted: send these, then record them. */
export function newAlertLevels(spent: number, limit: number, alreadyAlerted: readonly number[]): Threshold[] {
  const sent = new Set(alreadyAlerted);
  return alertLevels(spent, limit).filter((t) => !sent.has(t));
}

export type AlertSubject = { kind: "pool" } | { kind: "allocation"; teamId: string };

export interface PendingAlert {
  subject: AlertSubject;
  threshold: Threshold;
  spent: number;
  limit: number;
}

/**
 * Every alert a spend change should send for one org month: the pool's, and each allocation's.
 * `alreadyAlerted` holds keys from {@link alertKey}. Only the highest new threshold per subject is
 * kept when several are crossed at once (one import jumping from 50 % to 95 % sends "90 %", not two
 * messages), but all of them count as sent.
 */
export function pendingAlerts(input: {
  poolSpent: number;
  pool: number;
  allocations: readonly { teamId: string; spent: number; allocation: number }[];
  alreadyAlerted: ReadonlySet<string>;
}): { send: PendingAlert[]; record: string[] } {
  const send: PendingAlert[] = [];
  const record: string[] = [];
  const consider = (subject: AlertSubject, spent: number, limit: number) => {
    const crossed = alertLevels(spent, limit).filter((t) => !input.alreadyAlerted.has(alertKey(subject, t)));
    if (crossed.length === 0) return;
    for (const t of crossed) record.push(alertKey(subject, t));
    send.push({ subject, threshold: crossed[crossed.length - 1]!, spent, limit });
  };
  consider({ kind: "pool" }, input.poolSpent, input.pool);
  for (const a of input.allocations) consider({ kind: "allocation", teamId: a.teamId }, a.spent, a.allocation);
  return { send, record };
}

/** `pool:90`, `allocation:<teamId>:75`: a stable key to store "already sent". */
export function alertKey(subject: AlertSubject, threshold: Threshold): string {
  return subject.kind === "pool" ? `pool:${threshold}` : `allocation:${subject.teamId}:${threshold}`;
}
