/** The smallest of the values, or null for none; Math.min(...values) overflows the call stack for very long lists. */
export function earliest(values: Iterable<number>): number | null {
  let result: number | null = null;
  for (const value of values) if (result === null || value < result) result = value;
  return result;
}
