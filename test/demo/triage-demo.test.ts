import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServices, type DemoServices } from '../../scripts/demo/demo-services.js';
import { ensureBuilt } from '../../scripts/demo/ensure-build.js';
import { findProvider, type ModelPrice } from '@pydantic/genai-prices';
import { priceCatalog } from '../../src/pricing/index.js';
import { buildReport, formatReport, type DemoReport } from '../../scripts/demo/report.js';
import { writeResults } from '../../scripts/demo/results-folder.js';
import { loadTickets } from '../../scripts/demo/support-tickets.js';
import { runTriageWorkload, type WorkloadProgress, type WorkloadResult } from '../../scripts/demo/triage-workload.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ticketCount = 20;
const failingTicket = 4;

let services: DemoServices;
let result: WorkloadResult;
let report: DemoReport;
let resultsFolder: string;
const progress: WorkloadProgress[] = [];

// The demo's core as `npm start` runs it, on 20 tickets: the project's langgraph.json on a real `langgraphjs dev`, the
// offline emulator behind the bridge. The example graphs import the package by name, so dist/ must be current.
beforeAll(async () => {
  await ensureBuilt(root, () => undefined);
  services = await startDemoServices({
    root,
    bridgeTimings: { maxWaitMs: 500, pollIntervalMs: 500 },
    emulatorTimings: { validatingMs: 20, inProgressMs: 100, finalizingMs: 20 },
  });
  // One ticket's request fails at the API (an emulator fault marker): the agent records it and the page goes on.
  const tickets = (await loadTickets(root, ticketCount)).map((ticket, index) =>
    index === failingTicket ? { ...ticket, body: `${ticket.body} [[fault:status=400]]` } : ticket,
  );
  result = await runTriageWorkload({
    client: services.client,
    tickets,
    model: 'gpt-4o-mini',
    onProgress: (snapshot) => progress.push(snapshot),
    timeoutMs: 120_000,
  });
  resultsFolder = await mkdtemp(path.join(tmpdir(), 'batch-bridge-demo-results-'));
  report = buildReport(result, { openai: services.openai, tickets: tickets.length, resultsFolder });
  await writeResults(resultsFolder, result, formatReport(report));
}, 300_000);

afterAll(async () => {
  await services?.stop();
  if (resultsFolder) await rm(resultsFolder, { recursive: true, force: true });
});

describe('the demo: a triage agent through the bridge, and its report', () => {
  it('triages every ticket in threads of ten but the one whose request failed, and every thread finishes', () => {
    expect(services.openai).toBe('offline emulator');
    expect(report.threads).toEqual({ total: 2, finished: 2, failed: 0 });
    expect(report.triaged).toBe(ticketCount - 1);
    expect(report.errors).toEqual([]);
    expect(report.failedTickets).toEqual([expect.stringMatching(/^T-10005: /)]);
  });

  it('counts requests = delivered = lines the Batch API received: two per ticket and one handover per thread', () => {
    // The failing ticket stops after its first call.
    const expected = ticketCount * 2 + 2 - 1;
    expect(report.requests).toBe(expected);
    expect(report.delivered).toBe(expected);
    expect(report.failed).toBe(1);
    const record = services.emulator!.record();
    expect(record.batches.flatMap((batch) => batch.lines)).toHaveLength(expected);
    expect(report.batches).toBe(record.batches.length);
    expect(record.syncCalls).toBe(0);
  });

  it("prices the reported usage with the package's price catalog, the Batch API at half the synchronous price", () => {
    const model = findProvider({ providerId: 'openai' })!.models.find((each) => each.id === 'gpt-4o-mini')!;
    const prices = model.prices as ModelPrice;
    const { inputTokens, cachedInputTokens, outputTokens } = report.usage;
    expect(inputTokens).toBeGreaterThan(0);
    expect(outputTokens).toBeGreaterThan(0);
    const synchronous =
      ((inputTokens - cachedInputTokens) * (prices.input_mtok as number) +
        cachedInputTokens * (prices.cache_read_mtok as number) +
        outputTokens * (prices.output_mtok as number)) /
      1_000_000;
    expect(report.cost.synchronousUsd).toBeCloseTo(synchronous, 11);
    expect(report.cost.batchUsd).toBeCloseTo(synchronous / 2, 11);
    expect(report.cost.pricesAsOf).toBe(priceCatalog.publishedOn);
    expect(formatReport(report)).toContain(`prices of ${priceCatalog.publishedOn} (${priceCatalog.name}`);
  });

  it('writes the results: a valid triage per ticket (or its error), whose usage adds up to the report’s', async () => {
    // Imported here, not at the top: the agent imports the built package, which beforeAll makes sure exists.
    const { triageSchema } = await import('../../examples/ticket-triage.js');
    const lines = (await readFile(path.join(resultsFolder, 'tickets.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(ticketCount);
    for (const line of lines.filter((_, index) => index !== failingTicket)) {
      expect(triageSchema.safeParse(line).success).toBe(true);
      expect(line.modelCalls).toBe(2);
      expect(line.batchIds.length).toBeGreaterThanOrEqual(1);
    }
    expect(lines[failingTicket]).toMatchObject({ modelCalls: 1, inputTokens: 0, error: expect.any(String) });
    const handoverTokens = result.threads.reduce((sum, thread) => sum + thread.handover!.usage.inputTokens, 0);
    expect(lines.reduce((sum, line) => sum + line.inputTokens, 0) + handoverTokens).toBe(report.usage.inputTokens);
    // The emulator's rules read the ticket: the one about an outage is urgent, for engineering.
    const outage = lines.find((line) => line.subject === 'Production is down');
    expect(outage).toMatchObject({ category: 'outage', priority: 'urgent', team: 'engineering' });
    const printed = await readFile(path.join(resultsFolder, 'report.txt'), 'utf8');
    expect(printed).toContain(`${report.requests} model calls, ${report.delivered} results delivered`);
  });

  it('reported progress while it ran: batches with ids and statuses, and the end state', () => {
    const last = progress.at(-1)!;
    expect(last.threads.finished).toBe(2);
    // The plan is two calls per ticket and one per thread; the failing ticket made one.
    expect(last.expectedRequests).toBe(ticketCount * 2 + 2);
    expect(last.bridge.totals.delivered).toBe(last.expectedRequests - 1);
    expect(last.bridge.batches.length).toBeGreaterThan(0);
    for (const batch of last.bridge.batches) expect(batch.batchId).toMatch(/^batch_/);
  });
});

describe('batch-bridge status', () => {
  it('prints the queue, the batches in flight and the totals of the bridge the demo used', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [
      path.join(root, 'dist/cli/main.js'),
      'status',
      '--url',
      services.url,
    ]);
    expect(stdout).toContain(`Bridge 'batch_bridge' on ${services.url}`);
    expect(stdout).toMatch(/queue\s+0 request\(s\)/);
    expect(stdout).toMatch(/in flight\s+0 batch\(es\)/);
    expect(stdout).toContain(`delivered ${report.delivered} · batches ${report.batches}`);
  });

  it('says so when no request has reached a bridge of the server yet', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [
      path.join(root, 'dist/cli/main.js'),
      'status',
      '--url',
      services.url,
      '--bridge',
      'custom_bridge',
    ]);
    expect(stdout).toContain("Bridge 'custom_bridge'");
    expect(stdout).toContain('no request has reached it');
  });
});
