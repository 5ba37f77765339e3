import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { LineText, OptionalSlug } from "~/domain/form-fields";
import { AuthLayout } from "~/components/auth-layout";
import { Field, FormError } from "~/components/ui/field";
import { slugify } from "~/domain/roles";
import { createTeam, isSlugTaken } from "~/models/team.server";
import { requireSessionHolder, requireUser, switcherTeams } from "~/server/auth.server";
import { parseForm } from "~/utils/forms";
import { invalid } from "~/utils/http.server";
import { getDb } from "~/utils/database-and-secrets.server";

export const meta: MetaFunction = () => [{ title: "New team · Token Poker" }];

const NewTeamSchema = z.object({
  name: LineText.min(2, "Give the team a name of at least 2 characters").max(80),
  slug: OptionalSlug,
});

export async function loader({ request }: LoaderFunctionArgs) {
  return { teams: switcherTeams(await requireSessionHolder(request)) };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const form = parseForm(await request.formData(), NewTeamSchema);
  if (!form.ok) return invalid(form.errors, form.values);
  const db = await getDb();
  const slug = form.data.slug ?? slugify(form.data.name);
  if (await isSlugTaken(db, slug)) {
    return invalid({ slug: `The address /t/${slug} is taken; choose another.` }, { name: form.data.name, slug });
  }
  const team = await createTeam(db, { name: form.data.name, slug, ownerId: user.id });
  return redirect(`/t/${team.slug}`);
}

export default function NewTeamPage() {
  const { teams } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errors = result?.errors ?? {};
  return (
    <AuthLayout
      title="Create a team"
      footer={
        teams.length ? (
          <>
            Or go back to <Link to={`/t/${teams[0]!.slug}`}>{teams[0]!.name}</Link>
          </>
        ) : (
          "Joining an existing team? Open the invite link a team owner or manager sent you."
        )
      }
    >
      <Form method="post" className="stack" noValidate>
        <FormError message={errors.form} />
        <Field label="Team name" name="name" defaultValue={result?.values?.name} error={errors.name} required />
        <Field
          label="Address"
          name="slug"
          defaultValue={result?.values?.slug}
          error={errors.slug}
          hint="Optional: the team's URL, /t/<address>. Made from the name when empty."
        />
        <button type="submit" className="btn btn-primary" disabled={busy}>
          Create team
        </button>
      </Form>
    </AuthLayout>
  );
}
