import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { endUserSession } from "~/server/session.server";

// Logging out changes state, so it is a POST (a link or image could not log anyone out).
export async function action({ request }: ActionFunctionArgs) {
  return endUserSession(request);
}

export async function loader() {
  return redirect("/");
}
