// The backend's reconciliation calls against the emulator through the official `openai` client: listing recent batches
// by metadata with `after` / `limit` pages, bounded by pages, count and age, and reading a batch's custom ids back.
import { describe, expect, it } from 'vitest';
import { tracedChatRequest, useEmulator } from './support/emulator-harness.js';

const harness = useEmulator();

async function createBatches(count: number, metadata: (index: number) => Record<string, string>) {
  const backend = harness.backend();
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const [batch] = await harness.submitAll(backend, [tracedChatRequest(`line-${index}`)], metadata(index));
    ids.push(batch.batchId);
  }
  return ids;
}

describe('listing recent batches for reconciliation', () => {
  it('keeps the batches whose metadata matches, newest first, with what a person needs to cancel one', async () => {
    const ids = await createBatches(5, (index) => ({ batch_bridge: index % 2 === 0 ? 'mine' : 'theirs' }));
    const before = harness.emulator.record().calls.listBatches ?? 0;
    const listed = await harness
      .backend()
      .listRecent({ since: 0, metadata: { batch_bridge: 'mine' }, maxBatches: 1_000, maxPages: 10 });
    expect(listed.batches.map((batch) => batch.batchId)).toEqual([ids[4], ids[2], ids[0]]);
    expect(listed).toMatchObject({ pages: 1, scanned: 5, complete: true });
    expect(harness.emulator.record().calls.listBatches - before).toBe(1);
    const [newest] = listed.batches;
    expect(newest).toMatchObject({ metadata: { batch_bridge: 'mine', created_by: 'batch-bridge' }, terminal: false });
    expect(newest.label).toMatch(/^\/v1\/chat\/completions/);
    expect(newest.cancelCommand).toBe(
      `curl -sS -X POST ${harness.emulator.baseURL}/batches/${ids[4]}/cancel -H "Authorization: Bearer $OPENAI_API_KEY"`,
    );
  });

  it('reads page after page with `after`, and stops at the page cap, saying the list is not complete', async () => {
    const ids = await createBatches(105, () => ({ batch_bridge: 'mine' }));
    const backend = harness.backend();
    const calls = () => harness.emulator.record().calls.listBatches ?? 0;

    let before = calls();
    const capped = await backend.listRecent({ since: 0, metadata: {}, maxBatches: 1_000, maxPages: 1 });
    expect(capped).toMatchObject({ pages: 1, scanned: 100, complete: false });
    expect(calls() - before).toBe(1);

    before = calls();
    const whole = await backend.listRecent({ since: 0, metadata: {}, maxBatches: 1_000, maxPages: 5 });
    expect(whole).toMatchObject({ pages: 2, scanned: 105, complete: true });
    expect(whole.batches.map((batch) => batch.batchId)).toEqual([...ids].reverse());
    expect(calls() - before).toBe(2);

    before = calls();
    const counted = await backend.listRecent({ since: 0, metadata: {}, maxBatches: 30, maxPages: 5 });
    expect(counted).toMatchObject({ pages: 1, scanned: 30, complete: false });
    expect(calls() - before).toBe(1);
  });

  it('stops at the first batch older than `since`', async () => {
    await createBatches(3, () => ({ batch_bridge: 'mine' }));
    const listed = await harness
      .backend()
      .listRecent({ since: Date.now() + 60_000, metadata: {}, maxBatches: 1_000, maxPages: 10 });
    expect(listed).toMatchObject({ batches: [], pages: 1, scanned: 0, complete: true });
  });

  it("reads a batch's custom ids back from its input file, in line order", async () => {
    const backend = harness.backend();
    const requests = ['c', 'a', 'b'].map((id) => tracedChatRequest(`order-${id}`));
    const [batch] = await harness.submitAll(backend, requests);
    const before = harness.emulator.record().calls;
    expect(await backend.customIdsOf(batch.batchId)).toEqual(['order-c', 'order-a', 'order-b']);
    const after = harness.emulator.record().calls;
    expect(after.retrieveBatch - (before.retrieveBatch ?? 0)).toBe(1);
    expect(after.fileContent - (before.fileContent ?? 0)).toBe(1);
  });
});
