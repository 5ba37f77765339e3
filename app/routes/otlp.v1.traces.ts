// POST /otlp/v1/traces — OpenTelemetry traces export requests (OTLP/HTTP); see app/server/otlp-receiver.server.ts.
import type { ActionFunctionArgs } from "@remix-run/node";
import { otlpLoader, receiveOtlp } from "~/server/otlp-receiver.server";

export const loader = otlpLoader;

export function action(args: ActionFunctionArgs) {
  return receiveOtlp("traces", args);
}
