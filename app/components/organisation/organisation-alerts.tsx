// The team dashboard's line about the organisation's month: the highest threshold the pool and the
// team's own allocation have crossed (recorded on the spend-change path, read here).
export interface OrganisationAlertsProps {
  alerts: {
    month: string;
    pool: { threshold: number; organisation: string } | null;
    allocation: { threshold: number; organisation: string } | null;
  };
}

export function OrganisationAlerts({ alerts }: OrganisationAlertsProps) {
  const { pool, allocation, month } = alerts;
  if (!pool && !allocation) return null;
  const top = Math.max(pool?.threshold ?? 0, allocation?.threshold ?? 0);
  const parts = [
    allocation ? `the team's ${month} allocation has reached ${allocation.threshold} %` : null,
    pool ? `${pool.organisation}'s ${month} pool has reached ${pool.threshold} %` : null,
  ].filter(Boolean);
  return (
    <div className={`alert ${top >= 100 ? "alert-error" : "alert-warn"}`} role="status">
      {top >= 100 ? "🛑" : "⚠️"} {parts.join("; ")}.
    </div>
  );
}
