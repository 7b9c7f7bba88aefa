/**
 * Runs the core cases against the installed batch-bridge, as a user's project would: the offline emulator and a
 * `langgraphjs dev` server from 'batch-bridge/testing' (the server runs under the same Node as this script), the
 * agents in ./graphs, and @langchain/langgraph-sdk as the client. Writes one JSON report to the path in argv[2].
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { Client } from '@langchain/langgraph-sdk';
import { generateText } from 'ai';
import { createBatchOpenAI } from 'batch-bridge';
import { startLangGraphDevServer, startOpenAIBatchEmulator } from 'batch-bridge/testing';

const here = path.dirname(fileURLToPath(import.meta.url));
const reportPath = process.argv[2];
const apiKey = 'sk-test-batch-bridge-compat-0123456789';
const caseTimeoutMs = 90_000;

const graphs = Object.fromEntries(
  ['single', 'fanout', 'tools', 'structured', 'embeddings'].map((id) => [
    id,
    path.join(here, 'graphs/agents.ts') + `:${id}`,
  ]),
);
graphs.batch_bridge = path.join(here, 'graphs/bridge.ts') + ':bridge';

let emulator;
let server;
let closing;
const close = () => (closing ??= Promise.allSettled([server?.close(), emulator?.close()]));

// The runner stops this script with SIGTERM on a timeout: stop the server (its own process group) before leaving.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => void close().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143)));
}

const tag = (label) => `${label}-${Math.random().toString(36).slice(2, 10)}`;

async function runThread(client, graph, input) {
  const thread = await client.threads.create();
  await client.runs.create(thread.thread_id, graph, { input, multitaskStrategy: 'enqueue' });
  const deadline = Date.now() + caseTimeoutMs;
  while (Date.now() < deadline) {
    const current = await client.threads.get(thread.thread_id);
    if (current.status === 'idle' || current.status === 'error') {
      const runs = await client.runs.list(thread.thread_id, { limit: 100 });
      if (!runs.some((run) => run.status === 'pending' || run.status === 'running')) {
        assert.equal(current.status, 'idle', `thread of ${graph} ended in status ${current.status}`);
        const state = await client.threads.getState(thread.thread_id);
        return state.values.results;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`thread of ${graph} did not finish within ${caseTimeoutMs} ms`);
}

const linesMentioning = (text) =>
  emulator.record().batches.flatMap((batch) => batch.lines.filter((line) => JSON.stringify(line.body).includes(text)));

/** The synchronous endpoint's answer to a recorded batch line: what the batch result must equal. */
async function direct(line) {
  const response = await fetch(emulator.baseURL + line.url.replace(/^\/v1/, ''), {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(line.body),
  });
  assert.equal(response.status, 200);
  return response.json();
}

/** Node 22.13+ and 23.4+ have node:sqlite without a flag; the local mode's store must then need no native package. */
const [major, minor] = process.versions.node.split('.').map(Number);
const hasNodeSqlite = major > 23 || (major === 23 && minor >= 4) || (major === 22 && minor >= 13);

const cases = {
  /** A plain script (no server) in local mode: its store is on node:sqlite where Node has it, else better-sqlite3. */
  async local(_client, report) {
    const lines = [];
    const directory = await mkdtemp(path.join(here, 'local-store-'));
    const batchOpenAI = createBatchOpenAI({
      baseURL: emulator.baseURL,
      apiKey,
      local: { directory, maxWaitMs: 10, pollIntervalMs: 100, log: (line) => lines.push(line) },
    });
    const prompt = `Say hello ${tag('local')}`;
    const call = () => generateText({ model: batchOpenAI('gpt-4o-mini'), prompt });
    let first;
    try {
      first = await call();
    } catch (error) {
      // This project denies better-sqlite3's install script (no binary): on a Node without node:sqlite the user must
      // be told what the package is for and how to get it.
      if (hasNodeSqlite) throw error;
      assert.equal(error.name, 'LocalStoreError', String(error));
      assert.match(error.message, /keeps its store .* SQLite/);
      assert.match(error.message, /npm install better-sqlite3/);
      report.sqlite = 'better-sqlite3 (not loadable here: the error says what it is for and how to install it)';
      return;
    }
    const second = await call();
    assert.equal(second.text, first.text);
    assert.equal(second.providerMetadata.batchBridge.fromCache, true, 'the second run is answered from the store');
    const driver = lines.join('\n').match(/\(SQLite: ([^)]+)\)/)?.[1];
    if (hasNodeSqlite) assert.equal(driver, 'node:sqlite', `the store runs on node:sqlite: ${lines.join(' | ')}`);
    else assert.equal(driver, 'better-sqlite3');
    report.sqlite = driver;
  },
  async single(client) {
    for (const api of ['chat', 'responses']) {
      const label = tag(`single-${api}`);
      const [result] = await runThread(client, 'single', { prompt: `Say hello ${label}`, api });
      const lines = linesMentioning(label);
      assert.equal(lines.length, 1, 'one batch line per call');
      assert.equal(lines[0].url, api === 'chat' ? '/v1/chat/completions' : '/v1/responses');
      const expected = await direct(lines[0]);
      assert.equal(
        result.text,
        api === 'chat' ? expected.choices[0].message.content : expected.output[0].content[0].text,
      );
      assert.equal(result.finishReason, 'stop');
      assert.equal(
        result.usage.inputTokens,
        api === 'chat' ? expected.usage.prompt_tokens : expected.usage.input_tokens,
      );
      assert.match(result.batchBridge.batchId, /^batch_/);
      assert.equal(result.nodeVersion, process.version, 'the graph ran on the Node under test');
    }
  },
  async fanout(client) {
    const label = tag('fanout');
    const prompts = Array.from({ length: 20 }, (_, index) => `Question ${index} ${label}`);
    const results = await runThread(client, 'fanout', { prompts });
    assert.equal(results.length, 20);
    for (const result of results)
      assert.ok(result.text?.includes(result.prompt.slice(0, 12)), `answer to ${result.prompt}`);
    assert.equal(new Set(results.map((result) => result.text)).size, 20, 'each node got its own answer');
    assert.equal(linesMentioning(label).length, 20, 'exactly one batch line per node');
  },
  async tools(client) {
    const label = tag('tools');
    const [result] = await runThread(client, 'tools', { prompt: `What is the weather? ${label}` });
    assert.equal(result.steps, 2);
    assert.equal(result.toolResults.length, 1);
    assert.match(result.toolResults[0].forecast, /^sunny in /);
    assert.ok(result.text.includes('sunny in'), 'the final text uses the tool result');
    assert.equal(linesMentioning(label).length, 2, 'one batch line per step');
  },
  async structured(client) {
    const [result] = await runThread(client, 'structured', {
      prompt: `Classify: my invoice is wrong ${tag('structured')}`,
    });
    for (const object of [result.generateObject, result.outputObject]) {
      assert.ok(['billing', 'bug', 'other'].includes(object.category));
      assert.equal(typeof object.urgent, 'boolean');
      assert.equal(typeof object.summary, 'string');
    }
  },
  async embeddings(client) {
    const values = [`first ${tag('embed')}`, 'second value', 'third value'];
    const [result] = await runThread(client, 'embeddings', { prompts: values });
    const [line] = linesMentioning(values[0]);
    const expected = await direct(line);
    assert.deepEqual(
      result.embeddings,
      expected.data.map((item) => item.embedding),
    );
    assert.ok(result.usage.tokens > 0);
  },
  async error(client) {
    const [result] = await runThread(client, 'single', { prompt: `Broken [[fault:status=400]] ${tag('error')}` });
    assert.deepEqual(
      result.error,
      { statusCode: 400, isRetryable: false },
      'a failed line is a non-retryable APICallError',
    );
  },
};

async function main() {
  const report = { node: process.version, cases: {} };
  try {
    emulator = await startOpenAIBatchEmulator({ apiKey });
    const started = Date.now();
    const directory = path.join(here, 'server');
    await mkdir(directory, { recursive: true });
    server = await startLangGraphDevServer({
      graphs,
      directory,
      env: { OPENAI_BASE_URL: emulator.baseURL, OPENAI_API_KEY: apiKey },
    });
    report.serverStartMs = Date.now() - started;
    const client = new Client({ apiUrl: server.url, callerOptions: { maxConcurrency: 16 } });
    // The cases are independent (each tags its own prompts), so they run together, as many threads would.
    await Promise.all(
      Object.entries(cases).map(async ([name, run]) => {
        const start = Date.now();
        try {
          await run(client, report);
          report.cases[name] = { ok: true, ms: Date.now() - start };
        } catch (error) {
          report.cases[name] = { ok: false, ms: Date.now() - start, error: String(error?.stack ?? error) };
        }
      }),
    );
  } catch (error) {
    report.error = String(error?.stack ?? error);
  } finally {
    if (server && Object.values(report.cases).some((result) => !result.ok)) report.serverLog = server.logs().slice(-40);
    await close();
  }
  await writeFile(reportPath, JSON.stringify(report, null, 2));
}

await main();
