import { describe, expect, it } from 'vitest';
import { createOpenAIBackend } from '../../src/backends/openai/index.js';
import { simpleBackend } from '../../src/backends/simple/simple-backend.js';
import { planQueue } from '../../src/core/index.js';

/** Planning needs no API: the OpenAI backend plans offline, so these run in milliseconds without a server. */
const openai = (limits: Record<string, number> = {}) => createOpenAIBackend({ apiKey: 'sk-plan-only-000000', limits });

const chat = (customId: string, model = 'gpt-4o-mini', content = `Hello ${customId}`) => ({
  customId,
  payload: { url: '/v1/chat/completions', body: { model, messages: [{ role: 'user', content }] } },
  note: `item ${customId}`,
});

const sizes = (plan: ReturnType<typeof planQueue>) => plan.batches.map((batch) => batch.items.length);

describe('planQueue: a queue into batches', () => {
  it('groups by endpoint and model and hands back the caller’s own items', () => {
    const items = [chat('a'), chat('b', 'gpt-4o'), chat('c'), chat('d', 'gpt-4o')];
    const plan = planQueue(openai(), items, { maxRequests: 100 });
    expect(plan.batches.map((batch) => batch.group.label)).toEqual([
      '/v1/chat/completions gpt-4o',
      '/v1/chat/completions gpt-4o-mini',
    ]);
    expect(plan.batches.map((batch) => batch.items.map((item) => item.note))).toEqual([
      ['item b', 'item d'],
      ['item a', 'item c'],
    ]);
    expect(plan.refused).toEqual([]);
  });

  it('splits at maxRequests, and at the backend’s own count limit when that is lower', () => {
    const items = Array.from({ length: 10 }, (_, index) => chat(`r${index}`));
    expect(sizes(planQueue(openai(), items, { maxRequests: 4 }))).toEqual([4, 4, 2]);
    expect(sizes(planQueue(openai({ maxRequestsPerBatch: 3 }), items, { maxRequests: 4 }))).toEqual([3, 3, 3, 1]);
  });

  it('splits by bytes: no batch file goes over the backend’s byte limit', () => {
    const items = Array.from({ length: 6 }, (_, index) => chat(`r${index}`, 'gpt-4o-mini', 'x'.repeat(300)));
    const plan = planQueue(openai({ maxBytesPerFile: 1_000 }), items, { maxRequests: 100 });
    expect(sizes(plan)).toEqual([2, 2, 2]);
    for (const batch of plan.batches) expect((batch.group as { bytes: number }).bytes).toBeLessThanOrEqual(1_000);
  });

  it('cuts a label to its batch size limit after a token limit, and leaves other labels alone', () => {
    const items = [...Array.from({ length: 5 }, (_, index) => chat(`m${index}`)), chat('big', 'gpt-4o')];
    const plan = planQueue(openai(), items, {
      maxRequests: 100,
      batchSizeLimits: { '/v1/chat/completions gpt-4o-mini': 2 },
    });
    expect(plan.batches.map((batch) => [batch.group.label, batch.items.length])).toEqual([
      ['/v1/chat/completions gpt-4o', 1],
      ['/v1/chat/completions gpt-4o-mini', 2],
      ['/v1/chat/completions gpt-4o-mini', 2],
      ['/v1/chat/completions gpt-4o-mini', 1],
    ]);
  });

  it('refuses a request the backend cannot place, with the reason, and plans the rest', () => {
    const bad = { customId: 'bad', payload: { url: '/v1/unknown', body: { model: 'm' } }, note: 'item bad' };
    const plan = planQueue(openai(), [chat('a'), bad, chat('b')], { maxRequests: 100 });
    expect(plan.refused.map(({ item, message }) => [item.note, message])).toEqual([
      ['item bad', expect.stringContaining('/v1/unknown')],
    ]);
    expect(plan.batches.map((batch) => batch.items.map((item) => item.customId))).toEqual([['a', 'b']]);
  });

  it('plans the simplest backend the same way: one batch per maxRequests', () => {
    const backend = simpleBackend<number>(
      () => 'batch',
      () => null,
    );
    const items = Array.from({ length: 5 }, (_, index) => ({ customId: `n${index}`, payload: index }));
    expect(sizes(planQueue(backend, items, { maxRequests: 2 }))).toEqual([2, 2, 1]);
    expect(planQueue(backend, [], { maxRequests: 2 }).batches).toEqual([]);
  });
});
