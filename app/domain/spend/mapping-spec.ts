// The column mapping for a team's own CSV, written the same way everywhere: `--map` on the command
// line, the mapping box on the import page, `?map=` on the API. "field=Column header" pairs separated
// by commas; a header with a comma in it goes in double quotes; "field=" switches a guessed field off.

import { GENERIC_FIELDS, type GenericField, type GenericMapping } from "~/domain/spend/parse-context";

export interface MappingSpecResult {
  mapping: GenericMapping | undefined;
  problems: string[];
}

function splitPairs(spec: string): string[] {
  const pairs: string[] = [];
  let current = "";
  let quoted = false;
  for (const ch of spec) {
    if (ch === '"') quoted = !quoted;
    else if ((ch === "," || ch === "\n") && !quoted) {
      pairs.push(current);
      current = "";
      continue;
    }
    current += ch;
  }
  pairs.push(current);
  return pairs.map((p) => p.trim()).filter((p) => p !== "");
}

/** Reads "story=Ticket,cost_usd=Amount ($)" into a mapping; unknown fields are problems, not guesses. */
export function parseMappingSpec(spec: string | null | undefined): MappingSpecResult {
  if (!spec || spec.trim() === "") return { mapping: undefined, problems: [] };
  const mapping: GenericMapping = {};
  const problems: string[] = [];
  for (const pair of splitPairs(spec)) {
    const eq = pair.indexOf("=");
    if (eq === -1) {
      problems.push(`"${pair}" is not field=Column`);
      continue;
    }
    const field = pair.slice(0, eq).trim().toLowerCase();
    let column = pair.slice(eq + 1).trim();
    if (column.startsWith('"') && column.endsWith('"') && column.length >= 2) column = column.slice(1, -1);
    if (!(GENERIC_FIELDS as readonly string[]).includes(field)) {
      problems.push(`unknown field "${field}" (fields: ${GENERIC_FIELDS.join(", ")})`);
      continue;
    }
    mapping[field as GenericField] = column === "" ? null : column;
  }
  return { mapping: problems.length ? undefined : mapping, problems };
}
