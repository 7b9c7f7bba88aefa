/**
 * Messages for a mistyped command, option or name: they name the bad value, suggest the closest valid one and list
 * them all, so that a typo is fixed without opening the help.
 */

/** Edit distance (insertions, deletions, substitutions, and swaps of two neighbours count one each). */
function distance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j += 1) rows[0][j] = j;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
    }
  }
  return rows[a.length][b.length];
}

/**
 * The valid value a typo most likely meant: the only one it begins, else the nearest if it is near enough (a third of
 * its length, at least 2 edits).
 */
export function closestMatch(value: string, valid: readonly string[]): string | undefined {
  // A value cut short (`--n-jobs` for `--n-jobs-per-worker`) means the one valid value it begins.
  const extended = valid.filter((candidate) => value.length >= 3 && candidate.startsWith(value));
  if (extended.length === 1) return extended[0];
  let best: { candidate: string; score: number } | undefined;
  for (const candidate of valid) {
    const score = distance(value.toLowerCase(), candidate.toLowerCase());
    if (!best || score < best.score) best = { candidate, score };
  }
  if (!best) return undefined;
  return best.score <= Math.max(2, Math.floor(best.candidate.length / 3)) ? best.candidate : undefined;
}

/** `unknown graph 'singel_node_agent'. Did you mean 'single_node_agent'? Valid graphs: a, b, c.` */
export function unknownValueMessage(what: string, value: string, valid: readonly string[], plural = `${what}s`) {
  const match = closestMatch(value, valid);
  return (
    `unknown ${what} '${value}'.` +
    (match ? ` Did you mean '${match}'?` : '') +
    (valid.length > 0 ? ` Valid ${plural}: ${valid.join(', ')}.` : '')
  );
}

/** The options a `node:util` parseArgs configuration accepts, as typed on a command line: `--url`, `--json`, ... */
export function optionNames(options: Record<string, unknown>): string[] {
  return Object.keys(options).map((name) => `--${name}`);
}

/**
 * A parseArgs error (unknown option, missing value, unexpected argument) as a message that names the bad value and
 * lists the valid options; undefined for any other error.
 */
export function argumentErrorMessage(error: unknown, options: Record<string, unknown>): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : '';
  const valid = optionNames(options);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const typed = /'([^']+)'/.exec(message)?.[1] ?? message;
    return unknownValueMessage('option', typed.split('=')[0], valid);
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return `${message.split('\n')[0]}.`;
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const typed = /'([^']+)'/.exec(message)?.[1] ?? message;
    return `unexpected argument '${typed}'. Valid options: ${valid.join(', ')}.`;
  }
  return undefined;
}
