// The spend page's loader data, as its sections receive it.
import type { useLoaderData } from "@remix-run/react";
import type { loader } from "./route";

export type SpendData = ReturnType<typeof useLoaderData<typeof loader>>;
