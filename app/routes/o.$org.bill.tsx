// /o/:org/bill — the organisation's own spend report. An org admin imports it (the team importer's
// parsers; the file streams in), places identities that no single team holds, and everyone in the
// organisation reads the reconciliation: the bill's total against the team-attributed spend, what is
// placed, what waits, what stays at organisation level. Identities are tool user names, shown so an
// admin can place them — never totals per person beyond the row count needed to decide.
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { FormError } from "~/components/ui/field";
import { formatCredits } from "~/domain/credits";
import { formatInstant, formatMonth } from "~/domain/dates";
import { id, LineText } from "~/domain/form-fields";
import { monthFromQuery, nextMonth, previousMonth } from "~/domain/organisation/billing-month";
import { FORMAT_NAMES, type FormatName } from "~/domain/spend/entry";
import {
  getReconciliation,
  importOrganisationReport,
  ORG_IMPORT_MAX_ROWS,
  PlacementError,
  placeIdentity,
  type OrganisationImportResult,
} from "~/models/organisation-spend.server";
import { SpendLimitError } from "~/models/spend.server";
import { requireOrgRole } from "~/server/org-access.server";
import { parseForm } from "~/utils/forms";
import { invalid } from "~/utils/http.server";
import { BodyTooLargeError, formatBytes, isMultipart, streamMultipart } from "~/utils/upload.server";

export const meta: MetaFunction = () => [{ title: "Bill · Token Poker" }];

/** An organisation's monthly report is megabytes; the cap keeps a mistaken upload cheap. */
export const ORG_UPLOAD_MAX_BYTES = 100 * 1024 * 1024;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, org, role } = await requireOrgRole(request, params.org, "viewer");
  const month = monthFromQuery(new URL(request.url).searchParams.get("month"), new Date());
  // The reconciliation lists the organisation's teams: the place-on menu uses the same list.
  const reconciliation = await getReconciliation(db, { organisationId: org.id, month });
  return {
    isAdmin: role === "admin",
    month,
    previous: previousMonth(month),
    next: nextMonth(month),
    reconciliation,
    teams: reconciliation.teams.map((t) => ({ id: t.teamId, name: t.name })),
  };
}

const PlaceSchema = z.object({
  intent: z.literal("place"),
  identity: LineText.min(1, "Which identity?").max(320),
  teamId: id("Pick a team."),
});

type ActionResult =
  | { ok: true; message: string; imports?: OrganisationImportResult[] }
  | { ok: false; errors: Record<string, string>; values: Record<string, string> };

export async function action({ request, params }: ActionFunctionArgs) {
  const { db, org, user } = await requireOrgRole(request, params.org, "admin");
  if (isMultipart(request)) {
    try {
      const { results } = await streamMultipart(
        request,
        (file, fields) => {
          const format = fields.get("format") ?? "";
          return importOrganisationReport(db, file.data, {
            organisationId: org.id,
            fileName: file.filename,
            via: "upload",
            userId: user.id,
            format: (FORMAT_NAMES as readonly string[]).includes(format) ? (format as FormatName) : undefined,
          });
        },
        { maxFileBytes: ORG_UPLOAD_MAX_BYTES },
      );
      if (!results.length) return invalid({ file: "Choose the report's file." });
      const summary = results
        .map((r) =>
          r.status === "rejected"
            ? `rejected (${r.errors[0]?.reason ?? "unreadable"})`
            : `${r.rows} rows: ${r.placed} placed on teams, ${r.unplaced} not placed, ${r.orgLevel} at organisation level${r.duplicates ? `, ${r.duplicates} already imported` : ""}`,
        )
        .join("; ");
      return data<ActionResult>({ ok: true, message: `Imported: ${summary}.`, imports: results });
    } catch (error) {
      if (error instanceof BodyTooLargeError)
        return invalid({ file: `The file is larger than ${formatBytes(ORG_UPLOAD_MAX_BYTES)}.` });
      if (error instanceof SpendLimitError)
        return invalid({ file: `The file has more than ${ORG_IMPORT_MAX_ROWS} rows: split it.` });
      if (error instanceof TypeError) return invalid({ file: "The upload was not a readable form." });
      throw error;
    }
  }
  const form = parseForm(await request.formData(), PlaceSchema);
  if (!form.ok) return invalid(form.errors, form.values);
  try {
    const placed = await placeIdentity(db, {
      organisationId: org.id,
      identity: form.data.identity,
      teamId: form.data.teamId,
      userId: user.id,
    });
    return data<ActionResult>({
      ok: true,
      message: `“${placed.identity}” placed: ${placed.moved} waiting ${placed.moved === 1 ? "row" : "rows"} moved to the team.`,
    });
  } catch (error) {
    if (error instanceof PlacementError) return invalid({ form: error.message });
    throw error;
  }
}

const rowCount = (n: number) => `${n.toLocaleString("en-US")} ${n === 1 ? "row" : "rows"}`;

export default function OrganisationBill() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const busy = useNavigation().state !== "idle";
  const errors = result && !result.ok ? result.errors : {};
  const r = d.reconciliation;
  return (
    <div className="stack">
      <div className="page-header">
        <div>
          <h1>Bill · {formatMonth(d.month)}</h1>
          <p className="muted">The organisation's own spend report, placed on teams through the teams' identities.</p>
        </div>
        <nav className="row" aria-label="Month">
          <Link className="btn btn-ghost btn-sm" to={`?month=${d.previous}`}>
            ← {formatMonth(d.previous)}
          </Link>
          <Link className="btn btn-ghost btn-sm" to={`?month=${d.next}`}>
            {formatMonth(d.next)} →
          </Link>
        </nav>
      </div>
      <FormError message={errors.form ?? errors.file ?? errors.identity ?? errors.teamId} />
      {result?.ok ? (
        <div className="alert alert-ok" role="status">
          {result.message}
        </div>
      ) : null}

      <section className="card" aria-labelledby="reconciliation-title">
        <h2 id="reconciliation-title">Reconciliation</h2>
        <div className="table-wrap">
          <table className="table-compact">
            <tbody>
              <tr>
                <th scope="row">The bill ({formatMonth(d.month)})</th>
                <td className="num">{formatCredits(r.bill)}</td>
              </tr>
              <tr>
                <th scope="row">Placed on teams ({rowCount(r.placed.rows)})</th>
                <td className="num">{formatCredits(r.placed.credits)}</td>
              </tr>
              <tr>
                <th scope="row">Not placed yet ({rowCount(r.unplaced.rows)})</th>
                <td className="num">{formatCredits(r.unplaced.credits)}</td>
              </tr>
              <tr>
                <th scope="row">At organisation level, no user ({rowCount(r.organisationLevel.rows)})</th>
                <td className="num">{formatCredits(r.organisationLevel.credits)}</td>
              </tr>
              <tr>
                <th scope="row">Team-attributed spend (all the teams' entries)</th>
                <td className="num">{formatCredits(r.teamAttributed)}</td>
              </tr>
              {r.teams.map((t) => (
                <tr key={t.teamId}>
                  <th scope="row" className="indent">
                    {t.name}
                  </th>
                  <td className="num">{formatCredits(t.credits)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {Math.abs(r.teamOnly) >= 0.05 ? (
          <p className="muted">
            The teams' spend differs from the bill's placed rows by {formatCredits(r.teamOnly)} credits: the teams' own
            imports of other tools and typed-in entries.
          </p>
        ) : null}
      </section>

      <section className="card" aria-labelledby="unmapped-title">
        <h2 id="unmapped-title">Identities not placed</h2>
        {r.unmapped.length ? (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Identity</th>
                  <th scope="col">Why</th>
                  <th scope="col" className="num">
                    Rows
                  </th>
                  {d.isAdmin ? <th scope="col">Place on</th> : null}
                </tr>
              </thead>
              <tbody>
                {r.unmapped.map((u, i) => (
                  <tr key={u.identity}>
                    <th scope="row">
                      <code>{u.identity}</code>
                    </th>
                    <td>{u.heldBy.length ? `in several teams: ${u.heldBy.join(", ")}` : "in no team's identities"}</td>
                    <td className="num">{u.rows}</td>
                    {d.isAdmin ? (
                      <td>
                        <Form method="post" className="row">
                          <input type="hidden" name="intent" value="place" />
                          <input type="hidden" name="identity" value={u.identity} />
                          <label className="sr-only" htmlFor={`place-${i}`}>
                            Team for {u.identity}
                          </label>
                          <select id={`place-${i}`} name="teamId" required defaultValue="">
                            <option value="" disabled>
                              Pick a team…
                            </option>
                            {d.teams.map((t) => (
                              <option key={t.id} value={t.id}>
                                {t.name}
                              </option>
                            ))}
                          </select>
                          <button type="submit" className="btn btn-sm" disabled={busy}>
                            Place
                          </button>
                        </Form>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="muted">Every row with a user is placed on a team.</p>
        )}
      </section>

      {d.isAdmin ? (
        <section className="card" aria-labelledby="import-title">
          <h2 id="import-title">Import the organisation's report</h2>
          <p className="muted">
            The Copilot usage report (or any format the team import reads). A file with a bad row is rejected whole;
            rows already imported are not added twice.
          </p>
          <Form method="post" encType="multipart/form-data" className="row">
            <label htmlFor="org-report" className="sr-only">
              Report file
            </label>
            <input id="org-report" type="file" name="file" required accept=".csv,.json,.jsonl,text/csv" />
            <button type="submit" className="btn btn-primary" disabled={busy}>
              Import
            </button>
          </Form>
        </section>
      ) : null}

      {r.imports.length ? (
        <section className="card" aria-labelledby="imports-title">
          <h2 id="imports-title">Recent imports</h2>
          <p className="muted">
            Each file's rows as they were placed when it was imported, whatever months they fall in; the reconciliation
            above is the month's, as it stands now.
          </p>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">File</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">
                    Rows
                  </th>
                  <th scope="col" className="num">
                    Placed
                  </th>
                  <th scope="col" className="num">
                    Not placed
                  </th>
                  <th scope="col" className="num">
                    Org level
                  </th>
                  <th scope="col">When</th>
                </tr>
              </thead>
              <tbody>
                {r.imports.map((i) => (
                  <tr key={i.id}>
                    <th scope="row">{i.fileName}</th>
                    <td>{i.status}</td>
                    <td className="num">{i.rows}</td>
                    <td className="num">{i.placed}</td>
                    <td className="num">{i.unplaced}</td>
                    <td className="num">{i.orgLevel}</td>
                    <td>{formatInstant(i.startedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
    </div>
  );
}
