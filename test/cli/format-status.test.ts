import { describe, expect, it } from 'vitest';
import type { BridgeState } from '../../src/bridge/bridge-state.js';
import { formatBridgeStatus } from '../../src/cli/format-status.js';
import { addCost, costOfUsage, emptyCostTotals, formatUsd, priceCatalog } from '../../src/pricing/index.js';

const now = Date.parse('2026-11-25T12:00:00Z');

const at = new Date(now);
const answered = [
  costOfUsage('gpt-4o-mini-2024-07-18', { inputTokens: 1200, cachedInputTokens: 0, outputTokens: 300 }, { at }),
  costOfUsage('gpt-4o-mini-2024-07-18', { inputTokens: 800, cachedInputTokens: 0, outputTokens: 100 }, { at }),
  costOfUsage('my-own-model', { inputTokens: 50, cachedInputTokens: 0, outputTokens: 5 }, { at }),
].reduce(addCost, emptyCostTotals());

const state: BridgeState = {
  event: null,
  lastEvent: { type: 'tick' },
  queued: 12,
  queuedBytes: 3_500,
  oldestQueuedAt: now - 5_000,
  backoffUntil: now + 60_000,
  batches: [
    {
      submissionTag: '7f1c2a9e-0000-4000-8000-000000000001',
      batchId: 'batch_abc',
      label: '/v1/chat/completions gpt-4o-mini',
      status: 'in_progress',
      requestCount: 200,
      requestCounts: { total: 200, completed: 120, failed: 1 },
      submittedAt: new Date(now - 180_000).toISOString(),
      lastPolledAt: new Date(now - 10_000).toISOString(),
      pollFailures: 2,
      cancelRequested: true,
    },
  ],
  batchSizeLimits: {},
  submitFailures: {},
  undelivered: 3,
  resuming: 0,
  nextTickAt: now + 12_000,
  lastTickAt: null,
  lastRunAt: null,
  lastError: { at: '2026-11-25T11:59:00.000Z', message: 'Polling batch batch_abc failed 2 time(s)' },
  recentErrors: [{ at: '2026-11-25T11:59:00.000Z', message: 'Polling batch batch_abc failed 2 time(s)' }],
  totals: {
    received: 500,
    duplicates: 0,
    rejected: 0,
    submitted: 488,
    retried: 4,
    succeeded: 280,
    failed: 2,
    cancelled: 0,
    delivered: 282,
    batches: 5,
  },
  cost: answered,
  reconciliation: {
    at: new Date(now - 60_000).toISOString(),
    apiCalls: 4,
    adoptedBatches: 1,
    adoptedRequests: 15,
    pendingBatches: 0,
    nudgedThreads: 15,
    orphans: [
      {
        batchId: 'batch_orphan_ours',
        status: 'cancelling',
        label: '/v1/chat/completions gpt-4o-mini',
        createdAt: new Date(now - 120_000).toISOString(),
        requestCount: 15,
        provablyOurs: true,
        action: 'cancelled',
        cancelCommand: 'curl -sS -X POST https://api.openai.com/v1/batches/batch_orphan_ours/cancel',
        foundAt: new Date(now - 60_000).toISOString(),
      },
      {
        batchId: 'batch_orphan_old',
        status: 'in_progress',
        label: '/v1/chat/completions gpt-4o-mini',
        createdAt: new Date(now - 120_000).toISOString(),
        requestCount: 3,
        provablyOurs: false,
        action: 'reported',
        cancelCommand: 'curl -sS -X POST https://api.openai.com/v1/batches/batch_orphan_old/cancel',
        foundAt: new Date(now - 60_000).toISOString(),
      },
    ],
  },
};

describe('batch-bridge status output', () => {
  it('shows the queue, each batch in flight, pending deliveries, the next tick, totals and recent errors', () => {
    const text = formatBridgeStatus('batch_bridge', 'http://127.0.0.1:2024', 'thread-1', state, now);
    expect(text).toContain("Bridge 'batch_bridge' on http://127.0.0.1:2024 (thread thread-1)");
    expect(text).toContain('queue        12 request(s), 3.4 KB, oldest queued 5 s ago');
    expect(text).toContain('backoff      until 2026-11-25T12:01:00.000Z');
    expect(text).toContain(
      'batch_abc  in_progress  120/200 done, 1 failed  /v1/chat/completions gpt-4o-mini  submitted 3 min ago, polled 10 s ago  (cancel requested, 2 failed poll(s))',
    );
    expect(text).toContain('undelivered  3 outcome(s)');
    expect(text).toContain('next tick    in 12 s');
    expect(text).toContain('delivered 282 · batches 5');
    expect(text).toContain('error        2026-11-25T11:59:00.000Z Polling batch batch_abc failed 2 time(s)');
  });

  it('shows what the answers cost at batch price, at synchronous price, the saving and the date of the prices', () => {
    const text = formatBridgeStatus('batch_bridge', 'http://x', 't', state, now);
    expect(answered.pricedAnswers).toBe(2);
    expect(text).toContain(
      `spent        ${formatUsd(answered.batchUsd)} at batch price for 2 answer(s) · ` +
        `${formatUsd(answered.synchronousUsd)} at synchronous price · saved ${formatUsd(answered.savedUsd)} ` +
        `(prices of ${priceCatalog.publishedOn})`,
    );
    // A model without a price is unknown, never $0, and the status says which.
    expect(text).toContain('cost unknown 1 answer(s) of my-own-model: no price in the catalog, not counted above');
  });

  it('a bridge with no answers yet has spent nothing; one with only unpriced answers says only that', () => {
    const fresh = formatBridgeStatus('b', 'http://x', 't', { ...state, cost: emptyCostTotals() }, now);
    expect(fresh).toContain('spent        $0 at batch price for 0 answer(s)');
    const unknownOnly = [
      costOfUsage('my-own-model', { inputTokens: 5, cachedInputTokens: 0, outputTokens: 1 }, { at }),
    ];
    const onlyUnpriced = { ...state, cost: unknownOnly.reduce(addCost, emptyCostTotals()) };
    const text = formatBridgeStatus('b', 'http://x', 't', onlyUnpriced, now);
    expect(text).not.toContain('spent ');
    expect(text).toContain('cost unknown 1 answer(s) of my-own-model');
  });

  it('shows what reconciliation found: adopted batches, threads asked again, orphans cancelled or to cancel by hand', () => {
    const text = formatBridgeStatus('batch_bridge', 'http://127.0.0.1:2024', 'thread-1', state, now);
    expect(text).toContain(
      'reconciled   60 s ago (4 API call(s)); adopted 1 batch(es), 15 request(s); 15 thread(s) asked to hand over again',
    );
    expect(text).toContain('orphan       batch_orphan_ours  cancelling   15 requests');
    expect(text).toContain('cancelled (provably this deployment’s)');
    expect(text).toContain('orphan       batch_orphan_old  in_progress  3 requests');
    expect(text).toContain('not provably this deployment’s: left alone');
    expect(text).toContain('cancel it: curl -sS -X POST https://api.openai.com/v1/batches/batch_orphan_old/cancel');
    expect(text).not.toContain('batches/batch_orphan_ours/cancel');
  });

  it('shows a group the API keeps refusing, how often, and until when it waits', () => {
    const refused = { ...state, submitFailures: { '/v1/chat/completions gpt-4o-mini': 3 } };
    const text = formatBridgeStatus('batch_bridge', 'http://127.0.0.1:2024', 'thread-1', refused, now);
    expect(text).toContain(
      'backoff      until 2026-11-25T12:01:00.000Z (the API refused a submission, or a token limit)',
    );
    expect(text).toContain('refused      /v1/chat/completions gpt-4o-mini: 3 submission(s) in a row');
  });

  it('an idle bridge: nothing queued, nothing in flight, no tick', () => {
    const idle = {
      ...state,
      queued: 0,
      queuedBytes: 0,
      oldestQueuedAt: null,
      backoffUntil: null,
      batches: [],
      undelivered: 0,
      resuming: 0,
      nextTickAt: null,
      recentErrors: [],
    };
    const text = formatBridgeStatus('batch_bridge', 'http://x', 't', idle, now);
    expect(text).toContain('queue        0 request(s), 0 B\n');
    expect(text).toContain('in flight    0 batch(es)\n');
    expect(text).toContain('next tick    none scheduled');
    expect(text).not.toContain('error ');
  });
});
