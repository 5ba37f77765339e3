// POST /otlp/v1/traces — OpenTelemetry traces export requests (OTLP/HTTP); see app/utils/otlp-receiver.server.ts.
import type { ActionFunctionArgs } from "@remix-run/node";
import { otlpLoader, receiveOtlp } from "~/utils/otlp-receiver.server";

export const loader = otlpLoader;

export function action(args: ActionFunctionArgs) {
  return receiveOtlp("traces", args);
}
