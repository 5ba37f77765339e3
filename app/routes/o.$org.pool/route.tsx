import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { FormError } from "~/components/ui/field";
import { formatMonth } from "~/domain/dates";
import { monthParam } from "~/domain/organisation/month-param";
import { requireOrgRole } from "~/server/org-access.server";
import { AllocationForm } from "./allocation-form";
import { CostCenters } from "./cost-centers";
import { handlePoolIntent, type PoolActionResult } from "./intents";
import { PoolForm } from "./pool-form";
import { loadPoolPage } from "./queries.server";

export const meta: MetaFunction = () => [{ title: "Month pool · Token Poker" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, org, role } = await requireOrgRole(request, params.org, "viewer");
  const month = monthParam(new URL(request.url), new Date());
  return { isAdmin: role === "admin", ...(await loadPoolPage(db, { organisationId: org.id, month })) };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const ctx = await requireOrgRole(request, params.org, "admin");
  return handlePoolIntent(ctx, request);
}

export default function PoolPage() {
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as PoolActionResult | undefined;
  const months = [...new Set([page.month, ...page.months])].sort().reverse();
  return (
    <div className="stack">
      <div className="page-header">
        <h1>Pool · {formatMonth(page.month)}</h1>
        <Form method="get" className="row">
          <label htmlFor="month-pick">Month</label>
          <input id="month-pick" type="month" name="month" defaultValue={page.month} list="known-months" />
          <datalist id="known-months">
            {months.map((m) => (
              <option key={m} value={m} />
            ))}
          </datalist>
          <button type="submit" className="btn btn-ghost">
            Show
          </button>
        </Form>
      </div>
      {result?.notice ? (
        <p className="alert alert-ok" role="status">
          {result.notice}
        </p>
      ) : null}
      <FormError message={result?.intent === "save-cost-center" || !result?.intent ? result?.errors.form : undefined} />
      <PoolForm page={page} result={result?.intent === "save-pool" ? result : undefined} />
      <AllocationForm page={page} result={result?.intent === "allocate" ? result : undefined} />
      <CostCenters page={page} result={result?.intent?.includes("cost-center") ? result : undefined} />
    </div>
  );
}
