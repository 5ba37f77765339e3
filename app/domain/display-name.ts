// Display names compared the way people read them: a guest called " ADA  lovelace" is taken for
// the member "Ada Lovelace". Compatibility forms (fullwidth letters, ligatures) fold to plain ones,
// invisible format characters (zero-width space/joiner, BOM) are dropped, runs of white space are
// one space, and case is ignored.
const INVISIBLE = /[\p{Cf}]/gu;

export function displayNameKey(name: string): string {
  return name.normalize("NFKC").replace(INVISIBLE, "").replace(/\s+/g, " ").trim().toLowerCase();
}

/** Whether `name` reads as one of `taken` (e.g. a guest taking a member's name). */
export function isNameTaken(name: string, taken: readonly string[]): boolean {
  const key = displayNameKey(name);
  return taken.some((t) => displayNameKey(t) === key);
}
