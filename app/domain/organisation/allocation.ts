// Splitting an organisation month's pool across teams. An allocation is either a number of
// credits or a percentage of the included pool; what no team is given is the reserve, from which
// an org admin grants exceptions. The one hard rule: the allocations together never exceed what the
// month can spend (pool + usable overage). Anything else (a team left at 0, nothing reserved) is
// a choice the admin may make.

import { distributeHundredths, fromHundredths, MAX_CREDITS, toHundredths } from "./credits";

export type AllocationInput =
  { teamId: string; kind: "credits"; credits: number } | { teamId: string; kind: "percent"; percent: number };

export interface ResolvedAllocation {
  teamId: string;
  kind: "credits" | "percent";
  /** Credits the team may draw this month (2 dp). */
  credits: number;
  /** The team's share of the included pool, in % (for a credit allocation too, for display). */
  percentOfPool: number | null;
}

export interface AllocationError {
  /** The offending team, or null for a problem with the whole set. */
  teamId: string | null;
  message: string;
}

export type AllocationResult =
  | {
      ok: true;
      allocations: ResolvedAllocation[];
      /** Sum of all allocations. */
      allocated: number;
      /** ceiling − allocated: what is left for exceptions (pool first, then overage). */
      reserve: number;
      /** The part of the reserve that is included pool (no overage cost): max(0, pool − allocated). */
      reserveFromPool: number;
      /** How much of the allocations can only be spent as paid overage: max(0, allocated − pool). */
      allocatedFromOverage: number;
    }
  | { ok: false; errors: AllocationError[] };

/**
 * Resolves and checks a month's allocations.
 *
 * - `pool` is the included pool, `overage` the usable overage (see `monthPool`).
 * - Percentages are of the included pool. All the percentage allocations are rounded together
 *   (largest remainder), so 3 × 33⅓ % of 100 credits is exactly 100.00, not 99.99.
 * - Errors (never a partial result): duplicate team, negative / non-finite / absurd amounts,
 *   a percentage over 100, and a total over pool + overage.
 */
export function validateAllocations(
  pool: number,
  overage: number,
  allocations: readonly AllocationInput[],
): AllocationResult {
  for (const [name, value] of [
    ["Pool", pool],
    ["Overage", overage],
  ] as const) {
    if (!Number.isFinite(value) || value < 0 || value > MAX_CREDITS) {
      throw new RangeError(`${name} must be a finite number of credits ≥ 0, got ${value}`);
    }
  }
  const poolH = toHundredths(pool);
  const ceilingH = poolH + toHundredths(overage);
  const errors: AllocationError[] = [];
  const seen = new Set<string>();

  for (const a of allocations) {
    if (seen.has(a.teamId)) errors.push({ teamId: a.teamId, message: "This team is allocated twice." });
    seen.add(a.teamId);
    const value = a.kind === "credits" ? a.credits : a.percent;
    if (typeof value !== "number" || !Number.isFinite(value)) {
      errors.push({ teamId: a.teamId, message: "Enter a number." });
    } else if (value < 0) {
      errors.push({ teamId: a.teamId, message: "An allocation cannot be negative." });
    } else if (a.kind === "percent" && value > 100) {
      errors.push({ teamId: a.teamId, message: "A percentage cannot be over 100 %." });
    } else if (a.kind === "credits" && value > MAX_CREDITS) {
      errors.push({ teamId: a.teamId, message: "That is more credits than any pool holds." });
    }
  }
  if (errors.length > 0) return { ok: false, errors };

  // Percentages: round their sum once, then share it out so the parts add up to exactly it.
  const percentIndexes = allocations.flatMap((a, i) => (a.kind === "percent" ? [i] : []));
  const percentSum = percentIndexes.reduce((sum, i) => sum + (allocations[i] as { percent: number }).percent, 0);
  const percentTotalH = Math.round((poolH * percentSum) / 100);
  const percentParts = distributeHundredths(
    percentTotalH,
    percentIndexes.map((i) => (allocations[i] as { percent: number }).percent),
  );
  const creditsH = allocations.map((a) => (a.kind === "credits" ? toHundredths(a.credits) : 0));
  percentIndexes.forEach((i, k) => (creditsH[i] = percentParts[k]!));

  const allocatedH = creditsH.reduce((a, b) => a + b, 0);
  if (allocatedH > ceilingH) {
    const over = fromHundredths(allocatedH - ceilingH);
    return {
      ok: false,
      errors: [
        {
          teamId: null,
          message:
            ceilingH === poolH
              ? `The allocations total ${fromHundredths(allocatedH)} credits, ${over} more than the pool of ${fromHundredths(poolH)}.`
              : `The allocations total ${fromHundredths(allocatedH)} credits, ${over} more than the pool plus overage (${fromHundredths(ceilingH)}).`,
        },
      ],
    };
  }

  return {
    ok: true,
    allocations: allocations.map((a, i) => ({
      teamId: a.teamId,
      kind: a.kind,
      credits: fromHundredths(creditsH[i]!),
      percentOfPool: a.kind === "percent" ? a.percent : poolH > 0 ? (creditsH[i]! / poolH) * 100 : null,
    })),
    allocated: fromHundredths(allocatedH),
    reserve: fromHundredths(ceilingH - allocatedH),
    reserveFromPool: fromHundredths(Math.max(0, poolH - allocatedH)),
    allocatedFromOverage: fromHundredths(Math.max(0, allocatedH - poolH)),
  };
}

export interface GrantSources {
  /** Credits the reserve can still give: reserve − exceptions already granted from it. */
  reserve: number;
  /** Per team: allocation − spent, never below 0 — what another team could hand over. */
  unusedByTeam: { teamId: string; unused: number }[];
}

/**
 * Where an exception grant can come from this month: the reserve left after earlier grants, or a
 * team's allocation it has not spent. A team's "unused" is allocation minus actual spend (not minus
 * committed sprints: committed work may still be cancelled, spend cannot be).
 */
export function grantSources(input: {
  reserve: number;
  grantedFromReserve: number;
  teams: readonly { teamId: string; allocation: number; spent: number }[];
}): GrantSources {
  return {
    reserve: fromHundredths(Math.max(0, toHundredths(input.reserve) - toHundredths(input.grantedFromReserve))),
    unusedByTeam: input.teams.map((t) => ({
      teamId: t.teamId,
      unused: fromHundredths(Math.max(0, toHundredths(t.allocation) - toHundredths(t.spent))),
    })),
  };
}
