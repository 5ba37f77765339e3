import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { BlockText, RawText } from "~/domain/form-fields";
import { StoryFields } from "~/components/backlog/story-fields";
import { FormError } from "~/components/ui/field";
import { roleAtLeast } from "~/domain/roles";
import { storyFieldsSchema } from "~/domain/story-form";
import {
  formatImportError,
  MAX_IMPORT_STORIES,
  parsePastedTitles,
  parseStoryCsv,
  type ImportResult,
} from "~/domain/story-import";
import { createStories, createStory, DuplicateKeyError, findExistingKeys } from "~/models/story.server";
import { requireTeamRole } from "~/server/auth.server";
import { parseForm } from "~/utils/forms";

export const meta: MetaFunction = () => [{ title: "Add stories · Token Poker" }];

const MAX_CSV_BYTES = 1_000_000;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { team, role } = await requireTeamRole(request, params.team, "observer");
  return {
    backlog: `/t/${team.slug}/backlog`,
    keyPattern: team.keyPattern,
    canEdit: roleAtLeast(role, "member"),
    maxStories: MAX_IMPORT_STORIES,
  };
}

type Failure = {
  ok: false;
  form: "create" | "paste" | "csv";
  errors: Record<string, string>;
  values: Record<string, string>;
  lines: string[];
};

function failure(
  form: Failure["form"],
  errors: Record<string, string>,
  values: Record<string, string>,
  lines: string[] = [],
) {
  return data<Failure>({ ok: false, form, errors, values, lines }, { status: 400 });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { db, team } = await requireTeamRole(request, params.team, "member");
  const formData = await request.formData();
  const intent = formData.get("intent");
  const backlog = `/t/${team.slug}/backlog`;

  const IntentSchema = z.discriminatedUnion("intent", [
    storyFieldsSchema(team.keyPattern).extend({ intent: z.literal("create") }),
    z.object({ intent: z.literal("paste"), titles: BlockText.max(200_000, "That is too much text for one paste") }),
    z.object({
      intent: z.literal("csv"),
      csvText: RawText.max(MAX_CSV_BYTES, "That is too much text; upload a file under 1 MB").optional(),
    }),
  ]);
  const form = parseForm(formData, IntentSchema);
  const which = intent === "paste" || intent === "csv" ? intent : "create";
  if (!form.ok) return failure(which, form.errors, form.values);
  const input = form.data;
  const values = Object.fromEntries(
    [...formData.entries()].filter((e): e is [string, string] => typeof e[1] === "string"),
  );

  if (input.intent === "create") {
    const { intent: _intent, ...story } = input;
    if (story.key && (await findExistingKeys(db, { teamId: team.id, keys: [story.key] })).length) {
      return failure("create", { key: `${story.key} is already a story in this team` }, values);
    }
    try {
      const created = await createStory(db, { teamId: team.id, ...story });
      return redirect(`/t/${team.slug}/stories/${created.id}`);
    } catch (error) {
      if (error instanceof DuplicateKeyError) return failure("create", { key: error.message }, values);
      throw error;
    }
  }

  let parsed: ImportResult;
  if (input.intent === "paste") {
    parsed = parsePastedTitles(input.titles, { keyPattern: team.keyPattern });
  } else {
    const file = formData.get("file");
    let text = input.csvText ?? "";
    if (file && typeof file !== "string" && file.size > 0) {
      if (file.size > MAX_CSV_BYTES)
        return failure("csv", { file: "The file is over 1 MB; split it into smaller files" }, values);
      text = await file.text();
    }
    if (!text.trim()) return failure("csv", { file: "Choose a CSV file or paste its text" }, values);
    parsed = parseStoryCsv(text, { keyPattern: team.keyPattern });
  }
  const field = input.intent === "paste" ? "titles" : "file";
  const summary = "Nothing was added. Fix these lines and try again:";
  // Keys the team uses already are reported together with the file's own problems, in line order.
  const keys = parsed.stories.flatMap((s) => (s.key ? [s.key] : []));
  const taken = new Set(await findExistingKeys(db, { teamId: team.id, keys }));
  const errors = [
    ...(parsed.ok ? [] : parsed.errors),
    ...parsed.stories
      .filter((s) => s.key && taken.has(s.key))
      .map((s) => ({ line: s.line, message: `${s.key} is already a story in this team` })),
  ].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  if (!parsed.ok || errors.length)
    return failure(input.intent, { [field]: summary }, values, errors.map(formatImportError));
  try {
    const created = await createStories(db, {
      teamId: team.id,
      stories: parsed.stories.map((s) => ({
        key: s.key,
        title: s.title,
        link: s.link,
        labels: s.labels,
        description: "",
      })),
    });
    return redirect(`${backlog}?added=${created.length}`);
  } catch (error) {
    // Someone added one of these keys in the meantime; the transaction left nothing behind.
    if (error instanceof DuplicateKeyError) return failure(input.intent, { [field]: summary }, values, [error.message]);
    throw error;
  }
}

function ImportErrors({ id, lines }: { id: string; lines: string[] }) {
  if (!lines.length) return null;
  return (
    <ul id={id} className="import-errors">
      {lines.slice(0, 50).map((l) => (
        <li key={l}>{l}</li>
      ))}
      {lines.length > 50 ? <li>… and {lines.length - 50} more</li> : null}
    </ul>
  );
}

export default function AddStoriesPage() {
  const { backlog, keyPattern, canEdit, maxStories } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Failure | undefined;
  const busy = useNavigation().state === "submitting";
  const on = (form: Failure["form"]) => (result?.form === form ? result : undefined);
  const create = on("create");
  const paste = on("paste");
  const csv = on("csv");

  return (
    <>
      <div className="page-header">
        <div>
          <p className="breadcrumb">
            <Link to={backlog}>Backlog</Link> /
          </p>
          <h1>Add stories</h1>
        </div>
      </div>
      {!canEdit ? (
        <p className="alert">Observers can read the backlog but not add to it.</p>
      ) : (
        <div className="add-stories">
          <section className="card stack" aria-labelledby="add-one">
            <h2 id="add-one">One story</h2>
            <Form method="post" className="stack">
              <input type="hidden" name="intent" value="create" />
              <FormError message={create?.errors.form} />
              <StoryFields
                keyPattern={keyPattern}
                errors={create?.errors ?? {}}
                values={{
                  title: create?.values.title ?? "",
                  key: create?.values.key ?? "",
                  link: create?.values.link ?? "",
                  labels: create?.values.labels ?? "",
                  description: create?.values.description ?? "",
                }}
              />
              <div className="row">
                <button type="submit" className="btn btn-primary" disabled={busy}>
                  Add story
                </button>
              </div>
            </Form>
          </section>

          <section className="card stack" aria-labelledby="add-paste">
            <h2 id="add-paste">Paste a list</h2>
            <Form method="post" className="stack">
              <input type="hidden" name="intent" value="paste" />
              <div className={paste?.errors.titles ? "field field-invalid" : "field"}>
                <label htmlFor="titles">One title per line</label>
                <textarea
                  id="titles"
                  name="titles"
                  rows={8}
                  defaultValue={paste?.values.titles ?? ""}
                  placeholder={
                    "PAY-450 Retry failed payouts\nPAY-451: Show refund status on receipts\nTidy up the checkout copy"
                  }
                  aria-invalid={paste?.errors.titles ? true : undefined}
                  aria-describedby={paste?.errors.titles ? "titles-error titles-lines" : "titles-hint"}
                  required
                />
                <p id="titles-hint" className="field-hint">
                  A leading key is recognised (<code>PAY-450 Title</code>, <code>PAY-450: Title</code>,{" "}
                  <code>[PAY-450] Title</code>); list bullets are dropped. Up to {maxStories} at a time; all are added
                  or none.
                </p>
                {paste?.errors.titles ? (
                  <p id="titles-error" className="field-error" role="alert">
                    {paste.errors.titles}
                  </p>
                ) : null}
                <ImportErrors id="titles-lines" lines={paste?.lines ?? []} />
              </div>
              <div className="row">
                <button type="submit" className="btn btn-primary" disabled={busy}>
                  Add these stories
                </button>
              </div>
            </Form>
          </section>

          <section className="card stack" aria-labelledby="add-csv">
            <h2 id="add-csv">Import a CSV</h2>
            <Form method="post" encType="multipart/form-data" className="stack">
              <input type="hidden" name="intent" value="csv" />
              <p className="muted">
                A header row names the columns, in any order: <code>key,title,link,labels</code>. Only{" "}
                <code>title</code> is required; labels may be separated by spaces or semicolons. A file with any bad
                line adds nothing.
              </p>
              <div className={csv?.errors.file ? "field field-invalid" : "field"}>
                <label htmlFor="file">CSV file</label>
                <input
                  id="file"
                  name="file"
                  type="file"
                  accept=".csv,text/csv,text/plain"
                  aria-invalid={csv?.errors.file ? true : undefined}
                  aria-describedby={csv?.errors.file ? "file-error file-lines" : undefined}
                />
                {csv?.errors.file ? (
                  <p id="file-error" className="field-error" role="alert">
                    {csv.errors.file}
                    {csv.values.csvText ? null : " (choose the file again after fixing it)"}
                  </p>
                ) : null}
                <ImportErrors id="file-lines" lines={csv?.lines ?? []} />
              </div>
              <details open={Boolean(csv?.values.csvText)}>
                <summary>Or paste the CSV text</summary>
                <div className="field">
                  <label htmlFor="csvText" className="sr-only">
                    CSV text
                  </label>
                  <textarea
                    id="csvText"
                    name="csvText"
                    rows={6}
                    defaultValue={csv?.values.csvText ?? ""}
                    placeholder={
                      "key,title,link,labels\nPAY-460,Retry failed payouts,https://tracker.example/PAY-460,api billing"
                    }
                    spellCheck={false}
                    className="mono"
                  />
                </div>
              </details>
              <div className="row">
                <button type="submit" className="btn btn-primary" disabled={busy}>
                  Import
                </button>
              </div>
            </Form>
          </section>
        </div>
      )}
    </>
  );
}
