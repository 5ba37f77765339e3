// A poker session's guest link: someone outside the team joins as a voter with a display name.
// The cookie it sets admits them to this one session while it is open; nothing else of the team.
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { LineText } from "~/domain/form-fields";
import { AuthLayout } from "~/components/auth-layout";
import { Field, FormError } from "~/components/ui/field";
import { createGuest, getGuestEntry, GuestRefusedError, PokerError } from "~/models/poker.server";
import { parseForm } from "~/utils/forms";
import { invalid } from "~/utils/http.server";
import { guestCookieHeader } from "~/utils/poker-guest.server";
import { announceRoomChange } from "~/server/poker-live.server";
import { getSessionHolderOf } from "~/server/session.server";
import { getServices } from "~/utils/database-and-secrets.server";

export const meta: MetaFunction = () => [{ title: "Join a poker session · Token Poker" }];

const GONE = "This guest link no longer works: the session has ended or the link was turned off.";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db } = await getServices();
  const entry = params.token ? await getGuestEntry(db, params.token) : undefined;
  if (!entry) throw new Response(GONE, { status: 404 });
  // A member of the team goes straight to the room as themselves.
  const holder = await getSessionHolderOf(request);
  if (holder?.teams.some((t) => t.slug === entry.teamSlug)) {
    throw redirect(`/t/${entry.teamSlug}/poker/${entry.sessionId}`);
  }
  return { sessionName: entry.name };
}

const GuestSchema = z.object({ name: LineText.min(1, "Tell the room who you are").max(40, "At most 40 characters") });

export async function action({ request, params }: ActionFunctionArgs) {
  const form = parseForm(await request.formData(), GuestSchema);
  if (!form.ok) return invalid(form.errors, form.values);
  try {
    const { db, env } = await getServices();
    const limits = { perLink: env.GUEST_MAX_PER_LINK, perMinute: env.GUEST_MAX_PER_MINUTE };
    const guest = await createGuest(db, { guestKey: params.token ?? "", name: form.data.name, limits });
    await announceRoomChange(guest.sessionId, guest.seq);
    return redirect(`/t/${guest.teamSlug}/poker/${guest.sessionId}`, {
      headers: { "Set-Cookie": await guestCookieHeader(request, guest.token) },
    });
  } catch (error) {
    if (error instanceof GuestRefusedError) return invalid({ [error.field]: error.message }, { name: form.data.name });
    if (error instanceof PokerError) throw new Response(GONE, { status: 404 });
    throw error;
  }
}

export default function GuestJoinPage() {
  const { sessionName } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  return (
    <AuthLayout
      title={`Join “${sessionName}”`}
      footer="As a guest you vote in this session only; you see nothing else of the team."
    >
      <Form method="post" className="stack">
        <FormError message={result?.errors.form} />
        <Field
          label="Your name"
          name="name"
          required
          maxLength={40}
          autoComplete="nickname"
          defaultValue={result?.values.name}
          error={result?.errors.name}
        />
        <button type="submit" className="btn btn-primary" disabled={busy}>
          Join as a guest voter
        </button>
      </Form>
    </AuthLayout>
  );
}
