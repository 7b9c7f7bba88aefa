import path from 'node:path';
import { cancelBatchesInFlight } from './cancel-in-flight.js';
import type { DemoOptions } from './demo-options.js';
import { startDemoServices, type DemoServices } from './demo-services.js';
import { ensureBuilt } from './ensure-build.js';
import { createProgressDisplay } from './progress-display.js';
import { buildReport, formatReport } from './report.js';
import { resultsFolderOf, writeResults } from './results-folder.js';
import { loadTickets } from './support-tickets.js';
import { runTriageWorkload } from './triage-workload.js';

const bridge = 'batch_bridge';

/**
 * Everything `npm start` does after its first lines: build if needed, start the services, run the workload with the
 * live display, write the results, print the report; and stop what it started, whatever happens. Returns the exit code.
 */
export async function runDemo(
  root: string,
  options: DemoOptions,
  apiKey: string | undefined,
  interruption: AbortSignal,
): Promise<number> {
  const real = Boolean(apiKey) && !options.url;
  let services: DemoServices | undefined;
  try {
    if (!options.url) {
      await ensureBuilt(root, (line) => console.log(line));
      console.log(
        'Starting langgraphjs dev on a free port with the graphs of langgraph.json (batch_bridge, ticket_triage, ...) ...',
      );
    }
    services = await startDemoServices({
      root,
      url: options.url,
      openaiApiKey: apiKey,
      bridgeTimings: {
        maxWaitMs: Number(process.env.BATCH_BRIDGE_MAX_WAIT_MS ?? (real ? 5_000 : 1_000)),
        pollIntervalMs: Number(process.env.BATCH_BRIDGE_POLL_INTERVAL_MS ?? (real ? 15_000 : 1_000)),
      },
      // Long enough to see each status on screen; OpenAI's own take minutes or hours.
      emulatorTimings: { validatingMs: 300, inProgressMs: 1_200, finalizingMs: 300 },
    });
    interruption.throwIfAborted();
    console.log(
      `LangGraph server ${services.url} · bridge '${bridge}' · ${options.count} tickets, 10 per thread, with ${options.model}`,
    );
    const tickets = await loadTickets(root, options.count);
    const display = createProgressDisplay();
    let result;
    try {
      result = await runTriageWorkload({
        client: services.client,
        tickets,
        model: options.model,
        bridge,
        onProgress: (progress) => display.update(progress),
        // The emulator finishes in seconds; real batches may take hours, so then there is no time limit.
        timeoutMs: services.openai === 'offline emulator' ? 10 * 60_000 : undefined,
        signal: interruption,
      });
    } finally {
      display.stop();
    }
    const folder = resultsFolderOf(root, result);
    const report = buildReport(result, {
      openai: services.openai,
      tickets: tickets.length,
      resultsFolder: path.relative(process.cwd(), folder) || '.',
    });
    const text = formatReport(report);
    await writeResults(folder, result, text);
    console.log(text);
    return report.threads.failed > 0 || report.errors.length > 0 ? 1 : 0;
  } catch (error) {
    if (!interruption.aborted) {
      console.error(`\nThe demo failed: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
    if (services?.ownsServer && services.openai === 'OpenAI Batch API') {
      const cancelled = await cancelBatchesInFlight(services.client, bridge).catch(() => []);
      if (cancelled.length > 0)
        console.log(`Asked OpenAI to cancel ${cancelled.length} batch(es) in flight: ${cancelled.join(', ')}`);
    }
    if (services && !services.ownsServer)
      console.log(`The threads go on on ${services.url}; the demo only stopped watching them.`);
    return 130;
  } finally {
    await services?.stop();
  }
}
