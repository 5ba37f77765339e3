// Commands that cap one agent run at an estimate's p80, so a story cannot quietly spend past the
// budget the team agreed on. Pure: numbers and text in, command lines out.

export interface SpendCap {
  /** p80 in whole credits, rounded up: a cap a little above p80 beats one a little below. */
  credits: number;
  /** The same cap in USD at the team's credit value, rounded up to whole cents. */
  usd: number;
  claude: string;
  copilot: string;
}

/** Quotes text for a POSIX shell inside double quotes (escapes \ " $ and `). */
export function shellDoubleQuote(text: string): string {
  return `"${text.replace(/[\\"$`]/g, (c) => `\\${c}`)}"`;
}

/** The prompt handed to the agent: the story's key and title on one line. */
export function taskText(story: { key: string | null; title: string }): string {
  const title = story.title.replace(/\s+/g, " ").trim();
  return story.key ? `${story.key}: ${title}` : title;
}

// Float noise (375 × 0.01 = 3.7500000000000004) must not round a cap up by a cent or a credit.
const ceilClean = (value: number, step: number) => Math.ceil(Number((value / step).toFixed(6))) * step;

export function spendCap(input: { p80Credits: number; creditValueUsd: number; task: string }): SpendCap {
  const credits = ceilClean(input.p80Credits, 1);
  const usd = Number(ceilClean(credits * input.creditValueUsd, 0.01).toFixed(2));
  return {
    credits,
    usd,
    claude: `claude -p ${shellDoubleQuote(input.task)} --max-budget-usd ${usd.toFixed(2)}`,
    copilot: `copilot --max-ai-credits ${credits}`,
  };
}
