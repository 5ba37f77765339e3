// The retrospective's loader data, as its sections receive it.
import type { useLoaderData } from "@remix-run/react";
import type { loader } from "./route";

export type RetroData = ReturnType<typeof useLoaderData<typeof loader>>;
