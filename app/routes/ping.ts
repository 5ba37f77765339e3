// The floor for throughput benchmarks: the whole HTTP + Remix path, no database, no rendering.
export function loader() {
  return new Response("ok", { headers: { "Content-Type": "text/plain", "Cache-Control": "no-store" } });
}
