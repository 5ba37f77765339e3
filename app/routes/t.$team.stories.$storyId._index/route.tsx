import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { parseForm } from "~/utils/forms";
import { StoryIntentSchema, type ActionResult } from "./intents";
import { requireStory } from "~/server/story-route.server";
import { runStoryIntent, storyPageData } from "./story.server";
import { StoryView } from "./story-view";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title: `${data?.story ? (data.story.key ? `${data.story.key} ${data.story.title}` : data.story.title) : "Story"} · Token Poker`,
  },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const ctx = await requireStory(request, params, "observer");
  return storyPageData(request, ctx);
}

export async function action({ request, params }: ActionFunctionArgs) {
  const ctx = await requireStory(request, params, "member");
  const form = parseForm(await request.formData(), StoryIntentSchema(ctx.team.keyPattern));
  if (!form.ok)
    return data<ActionResult>(
      { ok: false, intent: form.values.intent ?? "", errors: form.errors, values: form.values },
      { status: 400 },
    );
  return runStoryIntent(ctx, form.data);
}

export default function StoryPage() {
  return <StoryView />;
}
