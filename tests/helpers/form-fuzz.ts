// Hostile form bodies for any route: what a route accepts is read from its source (the intents of
// its `z.literal("...")`, its zod object keys and `name="..."` attributes, also in the components
// and domain files it imports) and from the forms on its rendered page (real field names and
// values, which get past the first checks and reach deeper code). fast-check then mixes those with
// values no form would send.
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";

export interface RouteVocabulary {
  intents: string[];
  names: string[];
  values: string[];
}

const unique = (xs: Iterable<string>) => [...new Set(xs)].sort();

/** Intents and field names in a route file and the ~/components and ~/domain files it imports. */
export function vocabularyOfSource(file: string): RouteVocabulary {
  const files = [file];
  const source = fs.readFileSync(file, "utf8");
  for (const m of source.matchAll(/from\s+["']~\/((?:components|domain)\/[^"']+)["']/g)) {
    for (const ext of [".tsx", ".ts"]) {
      const candidate = path.join("app", m[1]! + ext);
      if (fs.existsSync(candidate)) files.push(candidate);
    }
  }
  const intents = new Set<string>();
  const names = new Set<string>();
  for (const f of files) {
    const text = fs.readFileSync(f, "utf8");
    const isRoute = f === file;
    // Only the route's own literals are its intents; a component's are often display states.
    if (isRoute) for (const m of text.matchAll(/z\.literal\(\s*"([^"]+)"\s*\)/g)) intents.add(m[1]!);
    for (const m of text.matchAll(/name="([A-Za-z_][\w.[\]-]*)"/g)) names.add(m[1]!);
    for (const m of text.matchAll(/name="intent"\s+value="([^"]+)"/g)) intents.add(m[1]!);
    for (const m of text.matchAll(/^\s*([A-Za-z_]\w*)\s*:\s*z\./gm)) names.add(m[1]!);
    for (const m of text.matchAll(/[{,]\s*([A-Za-z_]\w*)\s*:\s*z\./g)) names.add(m[1]!);
  }
  names.delete("intent");
  return { intents: unique(intents), names: unique(names), values: [] };
}

const decode = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
const attr = (tag: string, name: string) => {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? decode(m[1]!) : null;
};

/** The POST forms on a page, each as its fields in order (inputs, selects' first option, textareas). */
export function formsIn(html: string): [string, string][][] {
  const forms: [string, string][][] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    if (!/method="post"/i.test(m[1]!)) continue;
    const fields: [string, string][] = [];
    for (const c of m[2]!.matchAll(/<(input|select|textarea)\b([^>]*)>([\s\S]*?(?=<\/select>|<\/textarea>)|)/g)) {
      const [, kind, tag, inner] = c;
      const name = attr(tag!, "name");
      if (!name) continue;
      if (kind === "input") {
        const type = attr(tag!, "type") ?? "text";
        if (type === "file" || type === "submit") continue;
        // One value per radio group or box list: the first one's, checked or not.
        if ((type === "checkbox" || type === "radio") && fields.some(([n]) => n === name)) continue;
        fields.push([name, attr(tag!, "value") ?? (type === "checkbox" ? "on" : "")]);
      } else if (kind === "select") {
        const option = /<option\b[^>]*?(?:value="([^"]*)")?[^>]*>([^<]*)/.exec(inner ?? "");
        fields.push([name, option ? decode(option[1] ?? option[2] ?? "") : ""]);
      } else {
        fields.push([name, decode(inner ?? "")]);
      }
    }
    if (fields.length) forms.push(fields);
  }
  return forms;
}

/** What no form sends: out-of-range and non-numbers, markup, SQL, odd unicode, odd dates, formulas. */
export const HOSTILE_VALUES = [
  "",
  " ",
  "0",
  "-1",
  "-0",
  "1.5",
  "NaN",
  "Infinity",
  "-Infinity",
  "1e309",
  "1e-400",
  "99999999999999999999",
  "2147483648",
  "-2147483649",
  "9007199254740993",
  "0x1F",
  "1_000",
  "true",
  "on",
  "null",
  "undefined",
  "[]",
  "{}",
  "__proto__",
  "constructor",
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(1)>',
  "'; DROP TABLE stories; --",
  "' OR '1'='1",
  "\\",
  "%00",
  "\u0000",
  "\u202Eevil",
  "\uFFFF",
  "💸🃏",
  "Z̸̡͓a̷l̶g̵o",
  "../../../etc/passwd",
  "2026-02-30",
  "0000-00-00",
  "9999-12-31",
  "2026-13-01",
  "-271821-04-19",
  "=1+1",
  "@SUM(A1)",
  "http://127.0.0.1:9/x",
  "x".repeat(10_000),
];

/** A value for one field: a hostile one, random text, numbers, a value seen on a page, or a huge string. */
export function valueArb(seen: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_VALUES) },
    { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 30 }) },
    { weight: 2, arbitrary: fc.integer().map(String) },
    { weight: 1, arbitrary: fc.double().map(String) },
    { weight: 2, arbitrary: seen.length ? fc.constantFrom(...seen) : fc.constant("1") },
    { weight: 1, arbitrary: fc.constantFrom(100_000, 1_000_000).map((n) => "9".repeat(n)) },
  );
}

export interface FuzzBody {
  entries: [string, string][];
  multipart: boolean;
}

/**
 * A body: one of the page's real forms (or nothing) with its intent set or dropped, fields
 * replaced, removed or repeated (arrays) with hostile values, and now and then unknown fields.
 */
export function bodyArb(vocabulary: RouteVocabulary, forms: [string, string][][]): fc.Arbitrary<FuzzBody> {
  const names = vocabulary.names.length ? vocabulary.names : ["name"];
  const value = valueArb(vocabulary.values);
  const mutation = fc.record({
    op: fc.constantFrom("set", "set", "add", "delete"),
    name: fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(...names) },
      { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) },
    ),
    value,
  });
  const intent = fc.oneof(
    { weight: 6, arbitrary: vocabulary.intents.length ? fc.constantFrom(...vocabulary.intents) : fc.constant(null) },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: value },
  );
  return fc
    .record({
      base: fc.oneof(
        { weight: 3, arbitrary: forms.length ? fc.constantFrom(...forms) : fc.constant<[string, string][]>([]) },
        { weight: 1, arbitrary: fc.constant<[string, string][]>([]) },
      ),
      intent: fc.option(intent, { freq: 4 }),
      mutations: fc.array(mutation, { maxLength: 6 }),
      multipart: fc.nat(4).map((n) => n === 0),
    })
    .map(({ base, intent, mutations, multipart }) => {
      let entries: [string, string][] = base.map(([n, v]) => [n, v]);
      if (intent !== null && intent !== undefined) {
        entries = entries.filter(([n]) => n !== "intent");
        entries.unshift(["intent", intent]);
      }
      for (const m of mutations) {
        if (m.op === "delete") entries = entries.filter(([n]) => n !== m.name);
        else if (m.op === "add") entries.push([m.name, m.value]);
        else {
          entries = entries.filter(([n]) => n !== m.name);
          entries.push([m.name, m.value]);
        }
      }
      return { entries, multipart };
    });
}

export function encodeBody(body: FuzzBody): BodyInit {
  if (body.multipart) {
    const form = new FormData();
    for (const [n, v] of body.entries) form.append(n, v);
    return form;
  }
  return new URLSearchParams(body.entries);
}

/** A short description of a body for a failure message (long values cut). */
export function describeBody(body: FuzzBody): string {
  const cut = (s: string) =>
    s.length > 60 ? `${JSON.stringify(s.slice(0, 40))}…(${s.length} chars)` : JSON.stringify(s);
  return `${body.multipart ? "multipart" : "urlencoded"} {${body.entries.map(([n, v]) => `${n}=${cut(v)}`).join(", ")}}`;
}
