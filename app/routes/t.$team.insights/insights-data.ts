// The insights page's loader data, as its sections receive it.
import type { useLoaderData } from "@remix-run/react";
import type { loader } from "./route";

export type InsightsData = ReturnType<typeof useLoaderData<typeof loader>>;
