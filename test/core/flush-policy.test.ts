import { describe, expect, it } from 'vitest';
import { flushPolicySchema, nextFlushAt, shouldFlush } from '../../src/core/flush-policy.js';
import { customIdOf, digestOf, requestKeyOf } from '../../src/core/identity.js';
import { bridgeThreadId } from '../../src/protocol/bridge-identity.js';

const policy = flushPolicySchema.parse({ maxRequests: 100, maxBytes: 1000, maxWaitMs: 5000 });
const queue = (count: number, bytes: number, age: number) => ({
  count,
  bytes,
  oldestQueuedAt: 10_000 - age,
  now: 10_000,
});

describe('flush policy', () => {
  it('flushes by size, by bytes and by age, never an empty queue', () => {
    expect(shouldFlush(policy, queue(0, 0, 999_999))).toBe(false);
    expect(shouldFlush(policy, queue(99, 10, 4999))).toBe(false);
    expect(shouldFlush(policy, queue(100, 10, 0))).toBe(true);
    expect(shouldFlush(policy, queue(1, 1000, 0))).toBe(true);
    expect(shouldFlush(policy, queue(1, 10, 5000))).toBe(true);
  });

  it('says when a lone request will be due', () => {
    expect(nextFlushAt(policy, queue(1, 10, 1000))).toBe(10_000 - 1000 + 5000);
    expect(nextFlushAt(policy, queue(0, 0, 0))).toBeNull();
  });

  it('lets shouldSubmit decide instead of the size and age rules', () => {
    const custom = { ...policy, shouldSubmit: (snapshot: { count: number }) => snapshot.count >= 3 };
    expect(shouldFlush(custom, queue(2, 5000, 99_999))).toBe(false);
    expect(shouldFlush(custom, queue(3, 0, 0))).toBe(true);
  });

  it('has defaults that suit the Batch API', () => {
    expect(flushPolicySchema.parse({})).toEqual({
      maxRequests: 50_000,
      maxBytes: 100 * 1024 * 1024,
      maxWaitMs: 60_000,
    });
    expect(() => flushPolicySchema.parse({ maxRequests: 0 })).toThrow();
  });
});

describe('identities', () => {
  it('gives each bridge one fixed thread and each waiting interrupt one key', () => {
    expect(bridgeThreadId('batch_bridge')).toBe(bridgeThreadId('batch_bridge'));
    expect(bridgeThreadId('batch_bridge')).not.toBe(bridgeThreadId('other_bridge'));
    expect(bridgeThreadId('batch_bridge')).toMatch(/^[0-9a-f-]{36}$/);
    const interrupt = 'f'.repeat(32);
    expect(requestKeyOf('thread-a', interrupt)).not.toBe(requestKeyOf('thread-b', interrupt));
  });

  it('makes custom_ids that both OpenAI and Anthropic accept, one per attempt', () => {
    const customId = customIdOf(requestKeyOf('thread', 'f'.repeat(32)), 2);
    expect(customId).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(customId).not.toBe(customIdOf(requestKeyOf('thread', 'f'.repeat(32)), 3));
  });

  it('digests equal payloads equally', () => {
    expect(digestOf({ url: '/v1/x', body: { a: 1 } })).toBe(digestOf({ url: '/v1/x', body: { a: 1 } }));
    expect(digestOf({ url: '/v1/x', body: { a: 1 } })).not.toBe(digestOf({ url: '/v1/x', body: { a: 2 } }));
  });
});
