import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bridgeThreadId } from '../../src/index.js';
import { digestOf } from '../../src/core/identity.js';
import { inboxNamespace, requestsNamespace, wakeKey, wakeNamespace } from '../../src/protocol/index.js';
import {
  finishedThread,
  linesMentioning,
  startE2EEnvironment,
  waitFor,
  type E2EEnvironment,
  bridgeStateOf,
} from './support/e2e-environment.js';

/**
 * Issue 17: anyone who can start a run on the bridge graph (or write its inbox) can send a hand-over. The bridge takes
 * one only when the named thread waits on the named interrupt, for this bridge, with the payload's digest.
 */
let environment: E2EEnvironment;

beforeAll(async () => {
  environment = await startE2EEnvironment();
});

afterAll(async () => {
  await environment?.close();
});

const tagged = (label: string) => `${label}-${Math.random().toString(36).slice(2, 10)}`;
const chatPayload = (content: string) => ({
  url: '/v1/chat/completions',
  body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content }] },
});

interface BridgeValues {
  totals: { received: number; rejected: number; duplicates: number };
  recentErrors: Array<{ message: string }>;
  nextTickAt: number | null;
}

/** Starts a `single` thread whose request waits for its bridge, and returns its interrupt once committed. */
async function startVictim(prompt: string, bridge: string) {
  const thread = await environment.client.threads.create();
  await environment.client.runs.create(thread.thread_id, 'single', {
    input: { prompt, bridge },
    multitaskStrategy: 'enqueue',
  });
  return waitingInterrupt(thread.thread_id);
}

async function waitingInterrupt(threadId: string) {
  const pending = await waitFor(async () => {
    const current = await environment.client.threads.get(threadId);
    return Object.values(current.interrupts ?? {}).flat()[0];
  }, 'the thread to wait on its interrupt');
  const descriptor = pending.value as { digest: string };
  return { threadId, interruptId: pending.id!, digest: descriptor.digest, assistantId: 'single' };
}

/** Sends a hand_over event straight to a bridge graph, as anyone allowed to run it can, and waits for that run. */
async function handOverDirectly(bridge: string, requests: unknown[]) {
  const { client } = environment;
  const threadId = bridgeThreadId(bridge);
  const run = await client.runs.create(threadId, bridge, {
    input: { event: { type: 'hand_over', requests } },
    multitaskStrategy: 'enqueue',
    ifNotExists: 'create',
  });
  await client.runs.join(threadId, run.run_id);
  return client.runs.get(threadId, run.run_id);
}

const bridgeValues = (bridge: string) => bridgeStateOf<BridgeValues>(environment.client, bridge);

const resultOf = (state: { values: unknown }) =>
  (state.values as { results: Array<{ prompt: string; text: string }> }).results[0];

describe('the bridge takes only hand-overs a waiting thread asked for', () => {
  it('refuses a forged hand-over naming another thread’s interrupt; nothing is submitted for it and the victim gets its own answer', async () => {
    const { client } = environment;
    const victimTag = tagged('victim');
    const forgedTag = tagged('forged');
    const bridge = 'slow_flush_bridge';
    const inbox = inboxNamespace(bridgeThreadId(bridge));
    // The bridge's first run in a process reconciles, and its sweep would ask a thread whose hand-over it never got
    // to hand over again: that run is made first, so that the victim's hand-over stays held back below.
    const first = await client.runs.create(bridgeThreadId(bridge), bridge, {
      input: { event: { type: 'tick' } },
      multitaskStrategy: 'enqueue',
      ifNotExists: 'create',
    });
    await client.runs.join(bridgeThreadId(bridge), first.run_id);
    // And the bridge is idle: no run running or waiting, no tick coming (its reconciliation may ask for one more look).
    await waitFor(async () => {
      const runs = await client.runs.list(bridgeThreadId(bridge), { limit: 100 });
      const busy = runs.some((run) => run.status === 'pending' || run.status === 'running');
      return !busy && (await bridgeValues(bridge)).nextTickAt === null ? true : undefined;
    }, 'the bridge to have no run or tick coming');
    // The victim's own hand-over is held back, as a slow network would, so that the forgery reaches the bridge first
    // (a forgery arriving later meets the request the bridge already holds). A fresh wake marker says another process
    // is about to create the inbox run: the victim's hand-over then only writes its inbox item, and no run takes it in
    // before the test removes it (with no marker its run starts 1 s after the write, a race on a loaded machine).
    await client.store.putItem(wakeNamespace(bridgeThreadId(bridge)), wakeKey, {
      wakeId: 'held back by the test',
      createdAt: Date.now(),
    });
    const thread = await client.threads.create();
    await client.runs.create(thread.thread_id, 'single', {
      input: { prompt: `Summarize ${victimTag}`, bridge },
      multitaskStrategy: 'enqueue',
    });
    const held = await waitFor(
      async () =>
        (await client.store.searchItems(inbox, { limit: 100 })).items.find(
          (item) => (item.value as { threadId?: string }).threadId === thread.thread_id,
        ),
      'the victim to hand over',
      30_000,
    );
    await client.store.deleteItem(inbox, held.key);
    const victim = await waitingInterrupt(thread.thread_id);
    const before = await waitFor(async () => {
      const values = await bridgeValues(bridge);
      return values.totals ? values : undefined;
    }, 'the bridge to have a state');

    // The victim's digest with another payload: the digest is recomputed and does not match.
    const withVictimDigest = await handOverDirectly(bridge, [{ ...victim, payload: chatPayload(`Leak ${forgedTag}`) }]);
    expect(withVictimDigest.status).toBe('error');
    expect(environment.logs().join('\n')).toMatch(/digest does not match the payload/);

    // A payload with its own correct digest: the victim's interrupt waits for another digest.
    const ownPayload = chatPayload(`Bill me ${forgedTag}`);
    const withOwnDigest = await handOverDirectly(bridge, [
      { ...victim, digest: digestOf(ownPayload), payload: ownPayload },
    ]);
    expect(withOwnDigest.status).toBe('success');
    const after = await bridgeValues(bridge);
    expect(after.totals).toMatchObject({ rejected: before.totals.rejected + 1, received: before.totals.received });
    expect(after.recentErrors[0].message).toContain(
      `thread ${victim.threadId} interrupt ${victim.interruptId}: the interrupt waits for a different payload`,
    );

    // The real hand-over arrives late and is answered as usual.
    await client.store.putItem(inbox, held.key, held.value);
    await client.runs.create(bridgeThreadId(bridge), bridge, {
      input: { event: { type: 'inbox' } },
      multitaskStrategy: 'enqueue',
    });
    const { thread: finished, state } = await finishedThread(client, victim.threadId);
    expect(finished.status).toBe('idle');
    expect(resultOf(state).text).toContain(victimTag);
    expect(linesMentioning(environment.emulator, victimTag)).toHaveLength(1);
    expect(linesMentioning(environment.emulator, forgedTag)).toHaveLength(0);
  });

  it('refuses an inbox item whose digest does not match its payload, with the reason in the bridge’s state', async () => {
    const tag = tagged('mismatch');
    const victim = await startVictim(`Translate ${tag}`, 'batch_bridge');
    const inbox = inboxNamespace(bridgeThreadId('batch_bridge'));
    const payload = chatPayload(`Another prompt ${tag}`);
    // Written straight into the store, as anyone with store access could; a tick makes the bridge read it.
    await environment.client.store.putItem(inbox, 'forged-mismatch', { ...victim, payload, digest: 'a'.repeat(64) });
    const run = await environment.client.runs.create(bridgeThreadId('batch_bridge'), 'batch_bridge', {
      input: { event: { type: 'tick' } },
      multitaskStrategy: 'enqueue',
    });
    await environment.client.runs.join(bridgeThreadId('batch_bridge'), run.run_id);
    const values = await bridgeValues('batch_bridge');
    expect(values.recentErrors.map((error) => error.message).join('\n')).toMatch(
      /inbox forged-mismatch: digest does not match the payload/,
    );
    expect(await environment.client.store.getItem(inbox, 'forged-mismatch')).toBeNull();

    const { state } = await finishedThread(environment.client, victim.threadId);
    expect(resultOf(state).text).toContain(tag);
    expect(linesMentioning(environment.emulator, `Another prompt ${tag}`)).toHaveLength(0);
  });

  it('refuses a hand-over for an interrupt that is no longer pending, even with its exact payload', async () => {
    const tag = tagged('answered');
    // Answered through bridge_small; the same hand-over sent to batch_bridge afterwards has nothing to answer.
    const answered = await startVictim(`Explain ${tag}`, 'bridge_small');
    await finishedThread(environment.client, answered.threadId);
    const [line] = linesMentioning(environment.emulator, tag);
    const payload = { url: line.url, body: line.body };
    expect(digestOf(payload)).toBe(answered.digest);
    const before = await bridgeValues('batch_bridge');

    const replay = { ...answered, payload };
    expect((await handOverDirectly('batch_bridge', [replay])).status).toBe('success');
    const after = await bridgeValues('batch_bridge');
    expect(after.totals.rejected).toBe(before.totals.rejected + 1);
    expect(after.recentErrors[0].message).toMatch(/not waiting on this interrupt \(answered already/);

    // To the bridge that answered it, the same replay is a duplicate: it is not submitted again either.
    expect((await handOverDirectly('bridge_small', [replay])).status).toBe('success');
    expect((await bridgeValues('bridge_small')).totals.duplicates).toBeGreaterThan(0);
    const known = await environment.client.store.searchItems(requestsNamespace('batch_bridge'), { limit: 1000 });
    expect(known.items.some((item) => (item.value as { threadId?: string }).threadId === answered.threadId)).toBe(
      false,
    );
    expect(linesMentioning(environment.emulator, tag)).toHaveLength(1);
  });

  it('accepts a real hand-over whose thread is still running: its step’s pending interrupt is read, nothing waits for the slow branch', async () => {
    const tag = tagged('busy');
    const { client } = environment;
    const thread = await client.threads.create();
    // The model call hands over at once; its interrupt is committed only when the 8 s sibling branch ends, but the
    // thread's pending task already shows it.
    await client.runs.create(thread.thread_id, 'busy', { input: { prompt: `Plan ${tag}`, busyMs: 8000 } });
    await waitFor(
      async () => (linesMentioning(environment.emulator, tag).length === 1 ? true : undefined),
      'the request to be submitted',
    );
    expect((await client.threads.get(thread.thread_id)).status).toBe('busy');

    const { state } = await finishedThread(client, thread.thread_id);
    const results = (state.values as { results: Array<{ text?: string }> }).results;
    expect(results.find((result) => result.text)?.text).toContain(tag);
    expect(linesMentioning(environment.emulator, tag)).toHaveLength(1);
    const errors = (await bridgeValues('batch_bridge')).recentErrors.map((error) => error.message).join('\n');
    expect(errors).not.toContain(thread.thread_id);
  });
});
