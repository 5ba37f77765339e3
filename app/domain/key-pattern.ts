// A team's story-key pattern is a regular expression the team writes and the server runs on every
// pasted line, story form and imported branch name. JavaScript regexes backtrack, so a pattern
// like (a+)+b or a?a?a?…aaa can take minutes on a short string and freeze the whole server for
// everyone. Rather than trust patterns, we accept only those whose backtracking is provably small:
// no back-references or look-arounds, groups may be made optional but not repeated, and the
// product of every choice point (an alternation's branches, a quantifier's range, with open-ended
// repeats counted as the longest input we ever match) stays under a budget. Inputs are capped at
// MAX_KEY_INPUT characters, which is what makes that bound real.

export const DEFAULT_KEY_PATTERN = "[A-Z][A-Z0-9]+-\\d+";

/** The longest text a key pattern is ever run on (a key, a word of a pasted line, a branch name). */
export const MAX_KEY_INPUT = 200;

/** Two open-ended repeats (the default pattern has two) times a little more. */
const CHOICE_BUDGET = MAX_KEY_INPUT * MAX_KEY_INPUT * 8;

const TOO_SLOW =
  "That pattern could make matching very slow: use at most two open-ended repeats (+, *) and few optional parts or alternatives";

interface Frame {
  /** Alternatives seen so far (a | adds one). */
  branches: number;
  /** Product of the choice counts of everything in the group, across its alternatives. */
  choices: number;
}

/** Why a pattern is not accepted as a team's key pattern, or null when it is fine. */
export function keyPatternProblem(pattern: string): string | null {
  try {
    new RegExp(pattern);
  } catch {
    return "Not a valid regular expression";
  }
  const stack: Frame[] = [{ branches: 1, choices: 1 }];
  const top = () => stack[stack.length - 1]!;
  // The item a following quantifier would apply to, not yet multiplied into its group.
  let last: { choices: number; isGroup: boolean } | null = null;
  const commit = () => {
    if (last) top().choices *= last.choices;
    last = null;
    return top().choices * top().branches > CHOICE_BUDGET;
  };
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    const quantifier = /^(?:[*+?]|\{(\d+)(,(\d*))?\})\??/.exec(pattern.slice(i));
    if (quantifier && last) {
      const token = quantifier[0];
      let range: number;
      if (token[0] === "?") range = 2;
      else if (token[0] === "*" || token[0] === "+") range = MAX_KEY_INPUT;
      else {
        const min = Number(quantifier[1]);
        const max = quantifier[2] === undefined ? min : quantifier[3] === "" ? Infinity : Number(quantifier[3]);
        range = Math.min(max - min + 1, MAX_KEY_INPUT);
      }
      // (…)+ multiplies the group's own choices on every repetition: exponential.
      if (last.isGroup && token[0] !== "?") return "A group can be made optional with ?, but not repeated; repeat single characters or classes instead";
      last.choices *= range;
      i += token.length;
      if (commit()) return TOO_SLOW;
      continue;
    }
    if (commit()) return TOO_SLOW;
    if (c === "\\") {
      if (/[1-9k]/.test(pattern[i + 1] ?? "")) return "Back-references (\\1, \\k<…>) are not allowed in a key pattern";
      last = { choices: 1, isGroup: false };
      i += 2;
    } else if (c === "[") {
      let j = i + 1;
      if (pattern[j] === "^") j++;
      while (j < pattern.length && pattern[j] !== "]") j += pattern[j] === "\\" ? 2 : 1;
      last = { choices: 1, isGroup: false };
      i = j + 1;
    } else if (c === "(") {
      if (pattern[i + 1] === "?") {
        if (pattern[i + 2] !== ":") return "Only plain groups ( … ) and (?: … ) are allowed in a key pattern";
        i += 3;
      } else i += 1;
      stack.push({ branches: 1, choices: 1 });
    } else if (c === ")") {
      const frame = stack.pop()!;
      last = { choices: frame.branches * frame.choices, isGroup: true };
      i += 1;
    } else if (c === "|") {
      top().branches += 1;
      i += 1;
    } else {
      // ^ and $ are anchors (nothing to repeat); anything else is a literal or `.`.
      if (c !== "^" && c !== "$") last = { choices: 1, isGroup: false };
      i += 1;
    }
  }
  return commit() ? TOO_SLOW : null;
}

/** The team's pattern if it is acceptable, else the default (a pattern stored before the check existed). */
export function safeKeyPattern(pattern: string | null | undefined): string {
  return pattern && keyPatternProblem(pattern) === null ? pattern : DEFAULT_KEY_PATTERN;
}
