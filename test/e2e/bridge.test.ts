import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { bridgeThreadId, ThreadRunError, waitForAnswer } from '../../src/index.js';
import { inboxNamespace } from '../../src/protocol/index.js';
import {
  linesMentioning,
  runThread,
  startE2EEnvironment,
  testApiKey,
  type E2EEnvironment,
} from './support/e2e-environment.js';

let environment: E2EEnvironment;

beforeAll(async () => {
  environment = await startE2EEnvironment();
});

afterAll(async () => {
  await environment?.close();
});

/** The event a bridge run was created with: the API returns its input under `kwargs`, which the SDK's Run type omits. */
const eventTypeOf = (run: object) =>
  (run as { kwargs?: { input?: { event?: { type?: string } } } }).kwargs?.input?.event?.type;

const tagged = (label: string) => `${label}-${Math.random().toString(36).slice(2, 10)}`;

function results(state: { values: unknown }) {
  return (state.values as { results: Array<Record<string, any>> }).results;
}

describe('batchOpenAI inside LangGraph nodes, answered through the bridge', () => {
  it('answers one generateText call with the emulator’s answer, usage and finish reason, in one batch', async () => {
    const tag = tagged('single');
    const { thread, state } = await runThread(environment.client, 'single', { prompt: `Say hello ${tag}` });
    expect(thread.status).toBe('idle');
    const [result] = results(state);

    // The same request sent synchronously gives the answer the batch must have given.
    const openai = new OpenAI({ baseURL: environment.emulator.baseURL, apiKey: testApiKey });
    const lines = linesMentioning(environment.emulator, tag);
    expect(lines).toHaveLength(1);
    const direct = await openai.chat.completions.create(lines[0].body as any);
    expect(result.text).toBe(direct.choices[0].message.content);
    expect(result.finishReason).toBe('stop');
    expect(result.usage.inputTokens).toBe(direct.usage!.prompt_tokens);
    expect(result.usage.outputTokens).toBe(direct.usage!.completion_tokens);
    expect(result.batchBridge).toMatchObject({
      batchId: expect.stringMatching(/^batch_/),
      customId: lines[0].custom_id,
      attempts: 1,
    });
    expect(Date.parse(result.batchBridge.completedAt)).toBeGreaterThanOrEqual(
      Date.parse(result.batchBridge.submittedAt),
    );
  });

  it('answers two sequential calls in one node, in order', async () => {
    const tag = tagged('sequential');
    const { state } = await runThread(environment.client, 'sequential', { prompt: `Count ${tag}` });
    const [first, second] = results(state);
    expect(first.text).toContain('(first)');
    expect(second.text).toContain('(second)');
    expect(linesMentioning(environment.emulator, tag)).toHaveLength(2);
  });

  for (const bridge of ['batch_bridge', 'bridge_small'] as const) {
    it(`gives each node of a 100-way Send fan-out its own answer, with exactly 100 lines submitted (${bridge})`, async () => {
      const tag = tagged(`fanout-${bridge}`);
      const prompts = Array.from({ length: 100 }, (_, index) => `Question ${index} ${tag}`);
      const started = Date.now();
      const { thread, state } = await runThread(environment.client, 'fanout', { prompts, bridge }, 120_000);
      const elapsed = Date.now() - started;
      expect(thread.status).toBe('idle');
      const answers = results(state);
      expect(answers).toHaveLength(100);
      for (const answer of answers) expect(answer.text).toContain(answer.prompt.slice(0, 20));
      expect(new Set(answers.map((answer) => answer.text)).size).toBe(100);

      const lines = linesMentioning(environment.emulator, tag);
      expect(lines).toHaveLength(100);
      const batches = new Set(answers.map((answer) => answer.batchBridge.batchId));
      if (bridge === 'bridge_small') expect(batches.size).toBeGreaterThanOrEqual(4);
      else expect(batches.size).toBe(1);
      console.log(`100-node fan-out through ${bridge}: ${elapsed} ms end to end, ${batches.size} batch(es)`);
    });
  }

  it('runs a multi-step tool loop and a ToolLoopAgent: the tool runs and the final text uses its result', async () => {
    for (const graph of ['tools', 'agent']) {
      const tag = tagged(graph);
      const { state } = await runThread(environment.client, graph, { prompt: `What is the weather? ${tag}` });
      const [result] = results(state);
      expect(result.steps).toBe(2);
      expect(result.toolResults).toHaveLength(1);
      expect(result.toolResults[0].forecast).toMatch(/^sunny in /);
      expect(result.text).toContain('sunny in');
      expect(linesMentioning(environment.emulator, tag)).toHaveLength(2);
    }
  });

  it('returns structured output from generateObject and Output.object', async () => {
    const { state } = await runThread(environment.client, 'structured', {
      prompt: `Classify: my invoice is wrong ${tagged('structured')}`,
    });
    const [result] = results(state);
    for (const object of [result.generateObject, result.outputObject]) {
      expect(['billing', 'bug', 'other']).toContain(object.category);
      expect(typeof object.urgent).toBe('boolean');
      expect(typeof object.summary).toBe('string');
    }
  });

  it('embeds with embedMany through .embedding(...) and gets the synchronous endpoint’s vectors', async () => {
    const values = [`first ${tagged('embed')}`, 'second value', 'third value'];
    const { state } = await runThread(environment.client, 'embeddings', { prompts: values });
    const [result] = results(state);
    const openai = new OpenAI({ baseURL: environment.emulator.baseURL, apiKey: testApiKey });
    const direct = await openai.embeddings.create({
      model: 'text-embedding-3-small',
      input: values,
      encoding_format: 'float',
    });
    expect(result.embeddings).toEqual(direct.data.map((item) => item.embedding));
  });

  it('works with the callable (Responses API) as with .chat(...)', async () => {
    const tag = tagged('responses');
    const { state } = await runThread(environment.client, 'single', {
      prompt: `Hello Responses ${tag}`,
      api: 'responses',
    });
    const [result] = results(state);
    const [line] = linesMentioning(environment.emulator, tag);
    expect(line.url).toBe('/v1/responses');
    const direct = await new OpenAI({ baseURL: environment.emulator.baseURL, apiKey: testApiKey }).responses.create(
      line.body as any,
    );
    expect(result.text).toBe(direct.output_text);
    expect(result.responseId).toBe(direct.id.length > 0 ? result.responseId : undefined);
  });

  it('submits 20 threads started together as one batch, and flushes a lone thread after maxWaitMs', async () => {
    const tag = tagged('twenty');
    // count_bridge submits when 20 requests wait and never for their age: however late the last hand-over arrives on
    // a loaded machine, no flush goes out before it, so a bridge that batches the 20 sends exactly one batch.
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        runThread(environment.client, 'single', { prompt: `Thread ${index} ${tag}`, bridge: 'count_bridge' }),
      ),
    );
    const batchIds = new Set(outcomes.map(({ state }) => results(state)[0].batchBridge.batchId));
    expect(batchIds.size).toBe(1);
    expect(linesMentioning(environment.emulator, tag)).toHaveLength(20);

    const lone = tagged('lone');
    const { state } = await runThread(environment.client, 'single', { prompt: `Alone ${lone}` });
    const [result] = results(state);
    const waited = Date.parse(result.batchBridge.submittedAt) - Date.parse(result.batchBridge.queuedAt);
    expect(waited).toBeGreaterThanOrEqual(1500);
  });

  it('hands 60 threads started together to the bridge through its inbox, with never more than one inbox run waiting', async () => {
    const bridgeThread = bridgeThreadId('batch_bridge');
    const inboxRuns = async (status?: 'pending') => {
      // Before any request the bridge's thread does not exist yet.
      const runs = await environment.client.runs
        .list(bridgeThread, { limit: 1000, ...(status ? { status } : {}) })
        .catch((error: Error) => {
          if (/\b404\b/.test(error.message)) return [];
          throw error;
        });
      return runs.filter((run) => eventTypeOf(run) === 'inbox');
    };
    const before = new Set((await inboxRuns()).map((run) => run.run_id));
    const started = Date.now();
    const tag = tagged('sixty');
    let finished = false;
    let mostWaiting = 0;
    const watching = (async () => {
      while (!finished) {
        mostWaiting = Math.max(mostWaiting, (await inboxRuns('pending')).length);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    try {
      await Promise.all(
        Array.from({ length: 60 }, (_, index) =>
          runThread(environment.client, 'single', { prompt: `Thread ${index} ${tag}` }),
        ),
      );
    } finally {
      finished = true;
      await watching;
    }
    expect(linesMentioning(environment.emulator, tag)).toHaveLength(60);
    expect(mostWaiting).toBe(1);
    // Each inbox run starts a second after it is created, and another is made only once it has started.
    const created = (await inboxRuns()).filter((run) => !before.has(run.run_id));
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(created.length).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 1000) + 1);
    const handOverRuns = (await environment.client.runs.list(bridgeThread, { limit: 1000 })).filter(
      (run) => eventTypeOf(run) === 'hand_over' && Date.parse(run.created_at) >= started,
    );
    expect(handOverRuns).toHaveLength(0);
  });

  it('gives a per-line 400 to its own node of a fan-out as a non-retryable APICallError; the others succeed', async () => {
    const tag = tagged('line400');
    const prompts = Array.from({ length: 5 }, (_, index) =>
      index === 2 ? `Broken [[fault:status=400]] ${tag}` : `Fine ${index} ${tag}`,
    );
    const { thread, state } = await runThread(environment.client, 'fanout', { prompts });
    expect(thread.status).toBe('idle');
    const answers = results(state);
    const failed = answers.filter((answer) => answer.error);
    expect(failed).toHaveLength(1);
    expect(failed[0].prompt).toContain('Broken');
    expect(failed[0].error).toMatchObject({ name: 'AI_APICallError', statusCode: 400, isRetryable: false });
    expect(answers.filter((answer) => answer.text)).toHaveLength(4);
    expect(linesMentioning(environment.emulator, tag)).toHaveLength(5);
  });

  it.each(['streaming', 'streaming_deltas'])(
    'ends a run whose node uses streamText (%s) with the error naming streamText and what to use, and submits nothing',
    async (graph) => {
      const tag = tagged('stream');
      const { thread, runs, state } = await runThread(environment.client, graph, { prompt: `Stream ${tag}` });
      // What a user looks at: the thread, its failed task in the thread's state, the run's outcome as runs.join /
      // runs.wait give it.
      expect(thread.status).toBe('error');
      expect(runs[0].status).toBe('error');
      expect(JSON.stringify(state.tasks.map((task) => task.error))).toMatch(
        /streamText cannot wait for a batch inside a LangGraph node[\s\S]*BridgeUsageError/,
      );
      const outcome = JSON.stringify(await environment.client.runs.join(thread.thread_id, runs[0].run_id));
      expect(outcome).toMatch(/BridgeUsageError[\s\S]*streamText cannot wait for a batch inside a LangGraph node/);
      expect(outcome).toContain('Use generateText');
      expect(outcome).not.toContain('No output generated');
      // The README's way for a client to wait for a thread's answer says the same.
      const error = await waitForAnswer(environment.client, thread.thread_id).catch((caught: Error) => caught);
      expect(error).toBeInstanceOf(ThreadRunError);
      expect((error as Error).message).toMatch(/streamText cannot wait for a batch inside a LangGraph node/);
      expect(linesMentioning(environment.emulator, tag)).toHaveLength(0);
    },
  );

  it('gives a model id typo the API’s 404 model_not_found, as an APICallError inside the node', async () => {
    const tag = tagged('typo');
    const { thread, state } = await runThread(environment.client, 'single', {
      prompt: `Typo ${tag}`,
      model: 'gpt-4o-mnii',
    });
    expect(thread.status).toBe('idle');
    const [result] = results(state);
    expect(result.error).toMatchObject({ name: 'AI_APICallError', statusCode: 404, isRetryable: false });
    expect(result.error.message).toContain('gpt-4o-mnii');
    expect(result.error.responseBody).toContain('model_not_found');
    // One line, once: a 404 is final.
    expect(linesMentioning(environment.emulator, tag)).toHaveLength(1);
  });

  it('fails a call to a bridge that is not a graph of the server at once, naming it and the graphs there', async () => {
    const tag = tagged('unregistered');
    const { thread, runs } = await runThread(environment.client, 'single', {
      prompt: `Nowhere ${tag}`,
      bridge: 'no_such_bridge',
    });
    expect(thread.status).toBe('error');
    const outcome = JSON.stringify(await environment.client.runs.join(thread.thread_id, runs[0].run_id));
    expect(outcome).toMatch(
      /BridgeUnavailableError[\s\S]*The bridge graph 'no_such_bridge' does not exist on this LangGraph server \(its graphs: [^)]*batch_bridge/,
    );
    expect(outcome).toContain('langgraph.json');
    // No retries against a graph that is not there: they alone would keep the run 3.75 s (0.25 + 0.5 + 1 + 2 s).
    expect(Date.parse(runs[0].updated_at) - Date.parse(runs[0].created_at)).toBeLessThan(3_000);
    const inbox = await environment.client.store.searchItems(inboxNamespace(bridgeThreadId('no_such_bridge')));
    expect(inbox.items).toHaveLength(0);
    expect(linesMentioning(environment.emulator, tag)).toHaveLength(0);
  });

  it('keeps a readable summary in the bridge state', async () => {
    const state = await environment.client.threads.getState(bridgeThreadId('batch_bridge'));
    const values = state.values as Record<string, any>;
    expect(values.totals.delivered).toBeGreaterThan(0);
    expect(values.totals.submitted).toBe(values.totals.succeeded + values.totals.failed + values.totals.retried);
    expect(values.queued).toBe(0);
    expect(JSON.stringify(values)).not.toContain(testApiKey);
  });
});

/** `batch-bridge status` from dist/ against this suite's server; resolves with its exit code and output. */
async function status(...args: string[]) {
  const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/cli/main.js');
  return promisify(execFile)(process.execPath, [cli, 'status', '--url', environment.server.url, ...args]).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ ...error }),
  );
}

describe('batch-bridge status --bridge on a real server', () => {
  it('says the server has no such graph, listing its bridge graphs apart from the others', async () => {
    const { code, stdout, stderr } = await status('--bridge', 'nope');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`Bridge 'nope' on ${environment.server.url}: the server has no graph 'nope'.`);
    const bridges = /bridge graphs there: (.*) \(/.exec(stderr)?.[1].split(', ');
    expect(bridges).toEqual(
      expect.arrayContaining(['batch_bridge', 'bridge_small', 'hold_bridge', 'refused_key_bridge']),
    );
    expect(bridges).not.toContain('single');
    expect(stderr).toMatch(/other graphs: .*\bsingle\b/);
    expect(stderr).not.toContain('no request has reached it');
  });

  it('says a graph of the server that is not a bridge is not one', async () => {
    const { code, stderr } = await status('--bridge', 'single');
    expect(code).toBe(1);
    expect(stderr).toContain("'single' is a graph of the server, but not a bridge.");
  });

  it('says a bridge graph that no request has reached yet has none', async () => {
    const { code, stdout } = await status('--bridge', 'hold_bridge_b');
    expect(code).toBe(0);
    expect(stdout).toContain("Bridge 'hold_bridge_b'");
    expect(stdout).toContain('no request has reached it');
  });
});
