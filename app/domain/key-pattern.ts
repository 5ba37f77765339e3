// A team's story-key pattern is a regular expression the team writes and the server runs on every
// pasted line, story form and imported branch name. JavaScript's own regexes backtrack: a pattern
// such as [a-z]*[a-z]*[a-z]{0,7}X takes cubic time on a 200-character branch name (an unanchored
// search retries at every start position) and froze the whole server for seconds. So team
// patterns never run on RegExp: they run on RE2JS, a pure-JavaScript port of RE2 whose engines
// (one-pass, bit-state backtracker with a visited set, lazy DFA, NFA) all work in time linear in
// the input for a given program. What is left to check is what bounds that program: the
// pattern's length, the syntax RE2 accepts (no back-references, no look-arounds) and the size of
// the compiled program (a{1000} compiles to a thousand instructions). See
// docs/decisions/0017-linear-time-key-patterns.md.

import { RE2JS } from "re2js";

export const DEFAULT_KEY_PATTERN = "[A-Z][A-Z0-9]+-\\d+";

/** The longest text a key is (a key field, a word of a pasted line); branch names are cut to it. */
export const MAX_KEY_INPUT = 200;

/** The longest pattern a team may store (the settings form and the team export hold it to this). */
export const MAX_KEY_PATTERN_LENGTH = 100;

/** Compiled program size allowed: matching costs at most about this many steps per input character. */
export const MAX_KEY_PROGRAM_SIZE = 300;

/** A compiled key pattern; the only way the app runs a team's pattern. */
export interface KeyMatcher {
  readonly pattern: string;
  /** The first match anywhere in `text` (a key in a branch name), or null when it is none or empty. */
  find(text: string): string | null;
  /** Whether the whole of `text` is a key. */
  matchesWhole(text: string): boolean;
  /** The engine, for tests that count its steps. */
  readonly engine: RE2JS;
}

/** Why a pattern is not accepted as a team's key pattern, or null when it is fine. */
export function keyPatternProblem(pattern: string): string | null {
  return compile(pattern).problem;
}

/**
 * The matcher for a pattern that passes `keyPatternProblem`; throws the reason otherwise. An
 * absent pattern is the default one.
 */
export function compileKeyPattern(pattern: string | undefined): KeyMatcher {
  const compiled = compile(pattern ?? DEFAULT_KEY_PATTERN);
  if (compiled.problem !== null) throw new Error(compiled.problem);
  return compiled.matcher;
}

/** The team's pattern if it is acceptable, else the default (a pattern stored before the check existed). */
export function safeKeyPattern(pattern: string | null | undefined): string {
  return pattern && keyPatternProblem(pattern) === null ? pattern : DEFAULT_KEY_PATTERN;
}

/** The matcher for the team's pattern, or for the default when the stored one is not acceptable. */
export function safeKeyMatcher(pattern: string | null | undefined): KeyMatcher {
  return compileKeyPattern(safeKeyPattern(pattern));
}

type Compiled = { problem: string; matcher?: undefined } | { problem: null; matcher: KeyMatcher };

// Story imports check every row against the same pattern: compile each pattern once.
const cache = new Map<string, Compiled>();
const CACHE_SIZE = 200;

function compile(pattern: string): Compiled {
  const hit = cache.get(pattern);
  if (hit) return hit;
  const compiled = compileUncached(pattern);
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(pattern, compiled);
  return compiled;
}

function compileUncached(pattern: string): Compiled {
  if (pattern.length > MAX_KEY_PATTERN_LENGTH)
    return { problem: `Keep the pattern to ${MAX_KEY_PATTERN_LENGTH} characters` };
  let engine: RE2JS;
  try {
    engine = RE2JS.compile(pattern);
  } catch (error) {
    return { problem: syntaxProblem(pattern, error) };
  }
  if (engine.programSize() > MAX_KEY_PROGRAM_SIZE) {
    return { problem: "That pattern is too large: use fewer or smaller counted repeats ({n}) and alternatives" };
  }
  return { problem: null, matcher: matcherFor(pattern, engine) };
}

function syntaxProblem(pattern: string, error: unknown): string {
  if (/\\[1-9k]/.test(pattern)) return "Back-references (\\1, \\k<…>) are not allowed in a key pattern";
  if (/\(\?<?[=!]/.test(pattern)) return "Look-aheads and look-behinds are not allowed in a key pattern";
  const detail = error instanceof Error ? error.message.replace(/^error parsing regexp: /, "") : "";
  return detail ? `Not a valid regular expression (${detail})` : "Not a valid regular expression";
}

function matcherFor(pattern: string, engine: RE2JS): KeyMatcher {
  return {
    pattern,
    engine,
    find(text) {
      // One search only: looking on past an empty first match (a pattern like \d*) would search
      // again from every position, which is quadratic. An empty first match is no key.
      const match = engine.exec(text) as string[] | null;
      return match?.[0] || null;
    },
    matchesWhole(text) {
      return engine.matches(text);
    },
  };
}
