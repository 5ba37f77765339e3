import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { AuthLayout } from "~/components/auth-layout";
import { Field, FormError } from "~/components/ui/field";
import { LineText, OptionalSlug } from "~/domain/form-fields";
import { slugify } from "~/domain/roles";
import { createOrganisation, isOrgSlugTaken } from "~/models/organisation.server";
import { requireSessionHolder, requireUser } from "~/server/auth.server";
import { parseForm } from "~/utils/forms";
import { invalid } from "~/utils/http.server";
import { getDb } from "~/utils/database-and-secrets.server";

export const meta: MetaFunction = () => [{ title: "New organisation · Token Poker" }];

const NewOrganisationSchema = z.object({
  name: LineText.min(2, "Give the organisation a name of at least 2 characters").max(80),
  slug: OptionalSlug,
});

export async function loader({ request }: LoaderFunctionArgs) {
  const { organisations } = await requireSessionHolder(request);
  return { orgs: organisations.map((o) => ({ slug: o.slug, name: o.name, role: o.role })) };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const form = parseForm(await request.formData(), NewOrganisationSchema);
  if (!form.ok) return invalid(form.errors, form.values);
  const db = await getDb();
  const slug = form.data.slug ?? slugify(form.data.name);
  if (await isOrgSlugTaken(db, slug)) {
    return invalid({ slug: `The address /o/${slug} is taken; choose another.` }, { name: form.data.name, slug });
  }
  const org = await createOrganisation(db, { name: form.data.name, slug, creatorId: user.id });
  return redirect(`/o/${org.slug}/settings`);
}

export default function NewOrganisationPage() {
  const { orgs } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errors = result?.errors ?? {};
  return (
    <AuthLayout
      title="Create an organisation"
      footer={
        orgs.length ? (
          <>
            Or go back to <Link to={`/o/${orgs[0]!.slug}`}>{orgs[0]!.name}</Link>
          </>
        ) : (
          "An organisation shares one AI credit pool across teams. You become its admin; teams join when their owner accepts."
        )
      }
    >
      <Form method="post" className="stack" noValidate>
        <FormError message={errors.form} />
        <Field label="Organisation name" name="name" defaultValue={result?.values?.name} error={errors.name} required />
        <Field
          label="Address"
          name="slug"
          defaultValue={result?.values?.slug}
          error={errors.slug}
          hint="Optional: the organisation's URL, /o/<address>. Made from the name when empty."
        />
        <button type="submit" className="btn btn-primary" disabled={busy}>
          Create organisation
        </button>
      </Form>
    </AuthLayout>
  );
}
