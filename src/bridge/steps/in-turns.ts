/** Longest stretch of LangGraph API calls without letting the server's event loop turn. */
const yieldEveryMs = 50;

/**
 * Runs `work` for every item, `concurrency` at a time, letting the event loop turn at least every 50 ms. Inside the
 * server the bridge's client is an in-process one whose calls never wait on I/O: without a turn now and then, thousands
 * of resumes sent or looked at would hold the server (every other run, every HTTP request) until the last one; on
 * langgraphjs dev each costs a scan of all threads and runs (BENCHMARKS.md).
 */
export async function inTurns<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let lastYield = Date.now();
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      await work(items[next++]);
      if (Date.now() - lastYield >= yieldEveryMs) {
        lastYield = Date.now();
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  });
  await Promise.all(workers);
}
