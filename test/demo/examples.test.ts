import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectGraphs, startDemoServices, type DemoServices } from '../../scripts/demo/demo-services.js';
import { ensureBuilt } from '../../scripts/demo/ensure-build.js';
import { exampleInputs } from '../../scripts/demo/example-inputs.js';
import { runExampleThread } from '../../scripts/demo/run-example.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let services: DemoServices;
const finished = new Map<string, Awaited<ReturnType<typeof runExampleThread>>>();

// Every example of the README, as `npm run example -- <graph>` runs it: the top-level langgraph.json on a real
// `langgraphjs dev`, the offline emulator behind the bridges.
beforeAll(async () => {
  await ensureBuilt(root, () => undefined);
  services = await startDemoServices({
    root,
    bridgeTimings: { maxWaitMs: 500, pollIntervalMs: 500 },
    emulatorTimings: { validatingMs: 20, inProgressMs: 50, finalizingMs: 20 },
  });
  await Promise.all(
    Object.entries(exampleInputs).map(async ([graph, input]) =>
      finished.set(graph, await runExampleThread(services.client, graph, input)),
    ),
  );
}, 300_000);

afterAll(async () => {
  await services?.stop();
});

const valuesOf = (graph: string) => {
  const thread = finished.get(graph)!;
  expect(thread.status).toBe('idle');
  return thread.values as Record<string, any>;
};

describe('the examples in langgraph.json', () => {
  it('registers the bridge, the demo agent and every example', () => {
    expect(Object.keys(projectGraphs(root))).toEqual(
      expect.arrayContaining(['batch_bridge', 'ticket_triage', 'custom_bridge', ...Object.keys(exampleInputs)]),
    );
  });

  it('single_node_agent: the one-line swap answers through a batch', () => {
    expect(valuesOf('single_node_agent').answer).toMatch(/^Echo: In one sentence/);
  });

  it('fan_out: each of the fanned-out questions gets its own answer', () => {
    const { answers, questions } = valuesOf('fan_out');
    expect(answers).toHaveLength(questions.length);
    for (const { question, answer } of answers) expect(answer).toBe(`Echo: ${question}`);
  });

  it('tool_agent: the ToolLoopAgent calls its tool between two batch requests', () => {
    const { steps, reply } = valuesOf('tool_agent');
    expect(steps).toBe(2);
    // The order the user asked about, answered from what the tool found for it.
    expect(reply).toBe('According to lookupOrder (A-1002): the status is held at customs and the eta is unknown.');
  });

  it('embeddings: embedMany through the Batch API gives vectors to compare', () => {
    const { dimensions, mostSimilar } = valuesOf('embeddings');
    expect(dimensions).toBe(1536);
    // The two texts about being charged twice, as a user comparing them would expect.
    const [charged, billed] = exampleInputs.embeddings.texts as string[];
    expect(mostSimilar).toMatchObject({ first: charged, second: billed });
    expect(mostSimilar.similarity).toBeGreaterThan(0.2);
  });

  it('custom_bridge: createBridge({ submit, poll }) and wait() answer with the custom backend’s result', () => {
    expect(valuesOf('custom_bridge_agent').result).toEqual({
      text: 'any batch API will do',
      words: 5,
      shouted: 'ANY BATCH API WILL DO',
    });
  });
});
