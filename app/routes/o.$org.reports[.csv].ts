// GET /o/:org/reports.csv?month=YYYY-MM — the report's month as CSV (org admins and viewers), with
// the retrospective CSV's formula guard (csvCell) on every cell and no per-person column.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { reportCsv } from "~/domain/organisation/report";
import { getOrganisationReport } from "~/models/organisation-report.server";
import { requireOrgRole } from "~/server/org-access.server";
import { monthFromQuery } from "~/domain/organisation/billing-month";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, org } = await requireOrgRole(request, params.org, "viewer");
  const month = monthFromQuery(new URL(request.url).searchParams.get("month"), new Date());
  const report = await getOrganisationReport(db, { organisationId: org.id, month });
  return new Response(reportCsv(report), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${org.slug}-${month}-report.csv"`,
      "Cache-Control": "private, no-store",
    },
  });
}
