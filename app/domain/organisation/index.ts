// Organisation arithmetic (issue 17): pure functions with plain inputs, no I/O. Models and routes
// import from here; see each file for the rule it implements.
//
// - credits.ts       two-decimal credit amounts, exact sums and largest-remainder splits
// - billing-month.ts UTC billing months ('YYYY-MM'): first/last day, days and working days elapsed
// - pool.ts          monthPool: the included pool (seats × per seat, or fixed) and the ceiling
// - allocation.ts    validateAllocations (credits or % → per-team credits + reserve), grantSources
// - month-split.ts   splitAcrossMonths: a sprint's capacity per billing month by working days
// - projection.ts    projectMonth / projectOrganisationMonth: month-end spend and run-out day
// - alerts.ts        alertLevels / pendingAlerts: 75/90/100 % of pool and allocations

export * from "./alerts";
export * from "./allocation";
export * from "./billing-month";
export * from "./credits";
export * from "./month-split";
export * from "./pool";
export * from "./projection";
