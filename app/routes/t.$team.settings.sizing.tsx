import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { LineText } from "~/domain/form-fields";
import { SchemeEditor } from "~/components/sizing/scheme-editor";
import { roleAtLeast } from "~/domain/roles";
import { errorsByField, schemeFormValues, schemeFromForm } from "~/domain/scheme-form";
import { DEFAULT_SCHEME } from "~/domain/sizing-scheme";
import { getCurrentScheme, listSchemeVersions, saveSchemeVersion } from "~/models/scheme.server";
import { requireTeamRole } from "~/server/auth.server";
import { parseForm } from "~/utils/forms";
import { formatDay } from "~/domain/dates";

export const meta: MetaFunction = () => [{ title: "Sizing scheme · Token Poker" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, team, role } = await requireTeamRole(request, params.team, "observer");
  const [current, versions] = await Promise.all([getCurrentScheme(db, team.id), listSchemeVersions(db, team.id)]);
  return {
    scheme: current.scheme,
    version: current.version,
    defaults: DEFAULT_SCHEME,
    versions: versions.map((v) => ({
      ...v,
      createdAt: new Date(v.createdAt).toISOString().slice(0, 10),
      estimateCount: Number(v.estimateCount ?? 0),
    })),
    canEdit: roleAtLeast(role, "manager"),
  };
}

// The scheme's own fields are read by schemeFromForm (their names are scheme paths); zod checks the
// envelope.
const SizingIntentSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("save"), note: LineText.max(200, "Keep the note to 200 characters").optional() }),
]);

type ActionResult = {
  ok: boolean;
  errors: Record<string, string>;
  values: Record<string, string>;
  saved?: { version: number; unchanged: boolean };
};

export async function action({ request, params }: ActionFunctionArgs) {
  const { db, team, user } = await requireTeamRole(request, params.team, "manager");
  const formData = await request.formData();
  const form = parseForm(formData, SizingIntentSchema);
  const values: Record<string, string> = {};
  for (const [k, v] of formData.entries()) if (typeof v === "string") values[k] = v;
  if (!form.ok) return data<ActionResult>({ ok: false, errors: form.errors, values }, { status: 400 });

  const current = await getCurrentScheme(db, team.id);
  const { scheme, errors } = schemeFromForm(current.scheme, values);
  if (errors.length) return data<ActionResult>({ ok: false, errors: errorsByField(errors), values }, { status: 400 });
  const saved = await saveSchemeVersion(db, {
    teamId: team.id,
    scheme,
    createdBy: user.id,
    note: form.data.note || undefined,
  });
  return data<ActionResult>({
    ok: true,
    errors: {},
    values: {},
    saved: { version: saved.version, unchanged: saved.version === current.version },
  });
}

export default function SizingSettings() {
  const { scheme, version, defaults, versions, canEdit } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const busy = useNavigation().state === "submitting";
  const failed = result && !result.ok ? result : undefined;
  const values = failed ? failed.values : schemeFormValues(scheme);

  return (
    <div className="stack sizing-page">
      {result?.ok && result.saved ? (
        <p className="alert alert-ok" role="status">
          {result.saved.unchanged
            ? `Nothing changed; the team stays on version ${result.saved.version}.`
            : `Saved as version ${result.saved.version}. New estimates use it; earlier estimates keep the version they were made with.`}
        </p>
      ) : null}

      <div className="sizing-intro">
        <section className="card stack" aria-labelledby="how-heading">
          <h2 id="how-heading">How a story gets its size</h2>
          <ol className="arith-steps">
            <li>
              <strong>Expected credits</strong> = base[model intensity][autonomy], from the table below.
            </li>
            <li>
              <strong>p80</strong> = expected × the multiplier of the budget risk.
            </li>
            <li>
              <strong>Size</strong> = the band that contains the expected credits. Bands are half-open, [from, up to):
              with the defaults 100 credits is M, not S. The last band is open-ended.
            </li>
          </ol>
          <p className="muted">
            Version {version} is in use. Every save makes a new version; estimates keep the version they were made with.
          </p>
        </section>
        <section className="card stack reasoning" aria-labelledby="why-heading">
          <h2 id="why-heading">Why these defaults</h2>
          <p>
            1 credit = $0.01, the value of a GitHub AI Credit. A{" "}
            <strong>delegated standard-model task at 150 credits</strong> ($1.50) sits near the published mean of{" "}
            <strong>≈186 credits</strong> ($1.86, about 4.17 M tokens) per agentic SWE-bench task; lighter models and
            closer supervision cost less, frontier models and autonomous runs more.
          </p>
          <p>
            <strong>Risk does not change the size, it widens the p80.</strong> The same task can cost 2× (typical) to
            30× (worst case) more on one run than another; the multiplier says how much room to leave. The retrospective
            judges it by p80 coverage: about 8 in 10 finished stories should come in under their p80.
          </p>
        </section>
      </div>

      <SchemeEditor
        key={`${version}-${failed ? JSON.stringify(failed.errors) : "ok"}`}
        scheme={scheme}
        defaults={defaults}
        values={values}
        errors={failed?.errors ?? {}}
        canEdit={canEdit}
        nextVersion={version + 1}
        busy={busy}
      />

      <section className="card stack" aria-labelledby="deck-heading">
        <h2 id="deck-heading">Deck extras</h2>
        <dl className="deck-extras">
          <div>
            <dt>
              <span className="poker-card" aria-hidden="true">
                ?
              </span>{" "}
              Can't say
            </dt>
            <dd>
              Played in one dimension when a voter cannot judge it. It is left out of that dimension's spread and
              suggestion, and a size still follows from the other voters' cards. A round full of <code>?</code> is a cue
              to talk about the story, not to guess.
            </dd>
          </div>
          <div>
            <dt>
              <span className="poker-card" aria-hidden="true">
                ✂
              </span>{" "}
              split
            </dt>
            <dd>
              Played instead of the three cards: the story is too big to estimate as one. When more than half of the
              voters play it, the suggestion is to split the story; otherwise split votes are ignored in the arithmetic.
            </dd>
          </div>
        </dl>
        <p className="muted">
          Neither card is a level, so they never break the maths; no level may use the ids ? or split.
        </p>
      </section>

      <section className="card stack" aria-labelledby="versions-heading">
        <h2 id="versions-heading">Versions</h2>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Saved</th>
                <th scope="col">By</th>
                <th scope="col">Note</th>
                <th scope="col" className="num">
                  Estimates
                </th>
              </tr>
            </thead>
            <tbody>
              {versions.map((v) => (
                <tr key={v.id}>
                  <th scope="row">
                    v{v.version} {v.version === version ? <span className="badge badge-ok">current</span> : null}
                  </th>
                  <td>{formatDay(v.createdAt)}</td>
                  <td>{v.createdByName ?? <span className="muted">—</span>}</td>
                  <td>{v.note ?? <span className="muted">—</span>}</td>
                  <td className="num">{v.estimateCount}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}
