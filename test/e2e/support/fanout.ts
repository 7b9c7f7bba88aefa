import type { Client } from '@langchain/langgraph-sdk';
import type { RunningEmulator } from '../../../src/testing/types.js';
import { linesMentioning, runThread } from './e2e-environment.js';

export const tagged = (label: string) => `${label}-${Math.random().toString(36).slice(2, 10)}`;

export interface Answer {
  prompt: string;
  text?: string;
  error?: { name: string; message: string; statusCode?: number; isRetryable: boolean };
  batchBridge?: {
    batchId: string;
    customId: string;
    attempts: number;
    queuedAt: string;
    submittedAt: string;
    completedAt: string;
  };
}

/** Runs a Send fan-out of `prompts` through `bridge` and returns every node's answer plus the lines the API received. */
export async function runFanout(
  client: Client,
  emulator: RunningEmulator,
  bridge: string,
  prompts: string[],
  tag: string,
  timeoutMs = 90_000,
) {
  const started = Date.now();
  const { thread, state } = await runThread(client, 'fanout', { prompts, bridge }, timeoutMs);
  const answers = (state.values as { results: Answer[] }).results;
  const lines = linesMentioning(emulator, tag);
  const counts = emulator.submittedCounts();
  const customIdsSubmittedTwice = lines
    .filter((line) => (counts.get(line.custom_id) ?? 0) > 1)
    .map((line) => line.custom_id);
  return { thread, answers, lines, customIdsSubmittedTwice, elapsedMs: Date.now() - started };
}

/** One row of the table the issue note asks for: scenario → outcome → lines submitted vs requests → time. */
export function reportRow(scenario: string, outcome: string, lines: number, requests: number, elapsedMs: number) {
  console.log(
    `| ${scenario} | ${outcome} | ${lines} lines / ${requests} requests | ${(elapsedMs / 1000).toFixed(1)} s |`,
  );
}
