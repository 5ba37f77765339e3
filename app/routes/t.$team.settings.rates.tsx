import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { LineText, isoDay } from "~/domain/form-fields";
import { RatesTable, type RateRow } from "~/components/sizing/rates-table";
import { Field, FormError } from "~/components/ui/field";
import { roleAtLeast } from "~/domain/roles";
import { addRate, getCreditValue, listRates, setCreditValue } from "~/models/rate.server";
import { repriceUnpricedEntries } from "~/models/spend.server";
import { requireTeamRole } from "~/server/auth.server";
import { parseForm } from "~/utils/forms";
import { invalid } from "~/utils/http.server";
import { formatDay } from "~/domain/dates";
import { formatUsd } from "~/domain/credits";

export const meta: MetaFunction = () => [{ title: "Rate card · Token Poker" }];

function today(timeZone: string): string {
  // en-CA formats as YYYY-MM-DD; the team's day, not the server's.
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(
    new Date(),
  );
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, team, role } = await requireTeamRole(request, params.team, "observer");
  const [rates, creditValueUsd] = await Promise.all([listRates(db, team.id), getCreditValue(db, team.id)]);
  const day = today(team.timeZone);
  // In force: per model, the latest price dated on or before today (no date = from the beginning).
  const inForce = new Map<string, number>();
  for (const r of rates) {
    if (r.effectiveFrom !== null && r.effectiveFrom > day) continue;
    const best = rates.find((x) => x.id === inForce.get(r.modelId));
    if (!best || (r.effectiveFrom ?? "") > (best.effectiveFrom ?? "")) inForce.set(r.modelId, r.id);
  }
  const rows: RateRow[] = rates.map((r) => ({
    id: r.id,
    modelId: r.modelId,
    provider: r.provider,
    tier: r.tier,
    aliases: r.aliases,
    inputUsdPerMtok: r.inputUsdPerMtok,
    cacheReadUsdPerMtok: r.cacheReadUsdPerMtok,
    cacheWriteUsdPerMtok: r.cacheWriteUsdPerMtok,
    outputUsdPerMtok: r.outputUsdPerMtok,
    effectiveFrom: r.effectiveFrom,
    state:
      inForce.get(r.modelId) === r.id
        ? "in-force"
        : r.effectiveFrom !== null && r.effectiveFrom > day
          ? "upcoming"
          : "superseded",
  }));
  return {
    rates: rows,
    models: [...new Set(rates.map((r) => r.modelId))],
    creditValueUsd,
    today: day,
    canEdit: roleAtLeast(role, "manager"),
  };
}

const price = (what: string) =>
  z
    .string()
    .trim()
    .min(1, `Enter the ${what} price`)
    .transform(Number)
    .pipe(
      z
        .number({ error: "Enter a number, e.g. 3 or 0.30" })
        .finite("Enter a number")
        .nonnegative("A price cannot be negative")
        .max(10_000, "That is over $10,000 per million tokens"),
    );
const optionalPrice = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? Number(v) : null))
  .pipe(
    z
      .number({ error: "Enter a number or leave it empty" })
      .finite("Enter a number")
      .nonnegative("A price cannot be negative")
      .max(10_000)
      .nullable(),
  );

const RatesIntentSchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("add-rate"),
    modelId: LineText.min(1, "Enter the model's id")
      .max(100)
      .regex(/^[A-Za-z0-9][\w.:/@-]*$/, "Use the model's id without spaces, e.g. claude-sonnet-4-6"),
    aliases: LineText.max(1000)
      .optional()
      .transform((v) =>
        [
          ...new Set(
            (v ?? "")
              .split(",")
              .map((a) => a.trim())
              .filter(Boolean),
          ),
        ].slice(0, 30),
      ),
    input: price("input"),
    cachedInput: optionalPrice,
    cacheWrite: optionalPrice,
    output: price("output"),
    effectiveFrom: z
      .string()
      .trim()
      .optional()
      .transform((v) => v || null)
      .pipe(isoDay("Pick a real date, or leave it empty for 'from the beginning'").nullable()),
  }),
  z.object({
    intent: z.literal("credit-value"),
    creditValueUsd: z
      .string()
      .trim()
      .min(1, "Enter a value in USD")
      .transform(Number)
      .pipe(
        z
          .number({ error: "Enter a number, e.g. 0.01" })
          .finite("Enter a number")
          .min(0.0001, "A credit must be worth at least $0.0001")
          .max(100, "That is more than $100 per credit"),
      ),
  }),
]);

type ActionResult = {
  ok: boolean;
  intent: string;
  errors: Record<string, string>;
  values: Record<string, string>;
  message?: string;
};

export async function action({ request, params }: ActionFunctionArgs) {
  const { db, team } = await requireTeamRole(request, params.team, "manager");
  const form = parseForm(await request.formData(), RatesIntentSchema);
  if (!form.ok)
    return data<ActionResult>(
      { ok: false, intent: form.values.intent ?? "", errors: form.errors, values: form.values },
      { status: 400 },
    );
  const input = form.data;
  switch (input.intent) {
    case "add-rate": {
      let aliases = input.aliases;
      if (!aliases.length) {
        // A new price for a known model keeps the names the model already goes by.
        const known = (await listRates(db, team.id)).find((r) => r.modelId === input.modelId);
        aliases = known?.aliases ?? [];
      }
      await addRate(db, {
        teamId: team.id,
        modelId: input.modelId,
        aliases,
        inputUsdPerMtok: input.input,
        cacheReadUsdPerMtok: input.cachedInput,
        cacheWriteUsdPerMtok: input.cacheWrite,
        outputUsdPerMtok: input.output,
        effectiveFrom: input.effectiveFrom,
      });
      await repriceUnpricedEntries(db, team.id); // spend on a model the card lacked gets its price now
      return data<ActionResult>({
        ok: true,
        intent: input.intent,
        errors: {},
        values: {},
        message: `Saved ${input.modelId} ${input.effectiveFrom ? `from ${input.effectiveFrom}` : "from the beginning"}.`,
      });
    }
    case "credit-value":
      if (!Number.isFinite(input.creditValueUsd)) return invalid({ creditValueUsd: "Enter a number" });
      await setCreditValue(db, { teamId: team.id, creditValueUsd: input.creditValueUsd });
      return data<ActionResult>({
        ok: true,
        intent: input.intent,
        errors: {},
        values: {},
        message: `One credit is now worth ${formatUsd(input.creditValueUsd)}.`,
      });
  }
}

export default function RatesSettings() {
  const { rates, models, creditValueUsd, today, canEdit } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const busy = useNavigation().state === "submitting";
  const failed = (intent: string) => (result && !result.ok && result.intent === intent ? result : undefined);
  const rate = failed("add-rate");
  const credit = failed("credit-value");
  const v = (name: string) => rate?.values[name] ?? "";

  return (
    <div className="stack">
      {result?.ok && result.message ? (
        <p className="alert alert-ok" role="status">
          {result.message}
        </p>
      ) : null}

      <div className="rates-top">
        <section className="card stack" aria-labelledby="credit-heading">
          <h2 id="credit-heading">Credit value</h2>
          <p className="muted">
            Estimates and capacity are in AI credits; spend reported in USD is converted at this value. GitHub AI
            Credits are $0.01.
          </p>
          <Form method="post" className="stack" key={credit ? "failed" : `ok-${creditValueUsd}`}>
            <input type="hidden" name="intent" value="credit-value" />
            <fieldset disabled={!canEdit} className="row align-end">
              <Field
                label="USD per credit"
                name="creditValueUsd"
                type="text"
                inputMode="decimal"
                defaultValue={credit?.values.creditValueUsd ?? String(creditValueUsd)}
                error={credit?.errors.creditValueUsd}
                className="credit-field"
              />
              {canEdit ? (
                <button type="submit" className="btn" disabled={busy}>
                  Save
                </button>
              ) : null}
            </fieldset>
          </Form>
        </section>

        <section className="card stack" aria-labelledby="how-rates-heading">
          <h2 id="how-rates-heading">How prices apply</h2>
          <p>
            Token-only spend (Claude Code logs, token counts from a gateway) is priced from this card: the price of the
            model on the day of the spend. A price with a date applies from that day on; the row before it keeps pricing
            earlier days. Rows without a date apply from the beginning. Today is {formatDay(today)} in the team's time
            zone.
          </p>
        </section>
      </div>

      {canEdit ? (
        <section className="card stack" aria-labelledby="add-rate-heading">
          <h2 id="add-rate-heading">Add a model or a new price</h2>
          <Form method="post" className="stack" key={rate ? "failed" : (result?.message ?? "new")}>
            <input type="hidden" name="intent" value="add-rate" />
            <FormError message={rate?.errors.form} />
            <div className="form-grid rate-form">
              <Field
                label="Model id"
                name="modelId"
                list="known-models"
                defaultValue={v("modelId")}
                error={rate?.errors.modelId}
                placeholder="claude-sonnet-4-6"
                hint="An existing id adds a new price for that model."
                required
                spellCheck={false}
              />
              <datalist id="known-models">
                {models.map((m) => (
                  <option key={m} value={m} />
                ))}
              </datalist>
              <Field
                label="Effective from"
                name="effectiveFrom"
                type="date"
                defaultValue={v("effectiveFrom")}
                error={rate?.errors.effectiveFrom}
                hint="Empty: from the beginning."
              />
              <Field
                className="span-all"
                label="Aliases"
                name="aliases"
                defaultValue={v("aliases")}
                error={rate?.errors.aliases}
                placeholder="Claude Sonnet 4.6, Auto: Claude Sonnet 4.6"
                hint="Other names the tools report, separated by commas. Empty for a known model: keeps its aliases."
              />
              <Field
                label="Input, $ / M tokens"
                name="input"
                inputMode="decimal"
                defaultValue={v("input")}
                error={rate?.errors.input}
                required
              />
              <Field
                label="Cached input, $ / M"
                name="cachedInput"
                inputMode="decimal"
                defaultValue={v("cachedInput")}
                error={rate?.errors.cachedInput}
                hint="Empty: priced as input."
              />
              <Field
                label="Cache write, $ / M"
                name="cacheWrite"
                inputMode="decimal"
                defaultValue={v("cacheWrite")}
                error={rate?.errors.cacheWrite}
                hint="Empty: priced as input."
              />
              <Field
                label="Output, $ / M tokens"
                name="output"
                inputMode="decimal"
                defaultValue={v("output")}
                error={rate?.errors.output}
                required
              />
            </div>
            <div className="row">
              <button type="submit" className="btn btn-primary" disabled={busy}>
                Save price
              </button>
            </div>
          </Form>
        </section>
      ) : (
        <p className="alert">Only managers and owners can change the rate card; you can read it.</p>
      )}

      <section aria-labelledby="card-heading" className="stack">
        <h2 id="card-heading">Models</h2>
        <RatesTable rates={rates} />
      </section>
    </div>
  );
}
