import { randomUUID } from 'node:crypto';
import type { OpenAIBackend, OpenAIBatchGroup } from '../backends/openai/index.js';
import { submissionMayExist, submissionMetadataKey } from '../backends/types.js';
import { customIdOf, deliveredOutcome, planQueue } from '../core/index.js';
import type { BatcherContext } from './batcher-context.js';
import type { PendingRequest, WatchedRequest } from './pending-request.js';

/**
 * Submits requests the flush policy released: the core plans them into batches (grouped by the backend, within the
 * API's limits, `maxRequests` and any cut after a token limit), one batch per group. Each submission is recorded
 * before the upload, so a process killed while creating the batch leaves a trace the next run can resolve.
 */
export async function submitRequests(context: BatcherContext, ready: PendingRequest[]): Promise<void> {
  for (const pending of ready) {
    pending.state = 'submitting';
    pending.customId = customIdOf(pending.requestKey, pending.attempt);
  }
  let backend: OpenAIBackend;
  try {
    backend = context.backend();
  } catch (error) {
    for (const pending of ready) context.fail(pending, error);
    return;
  }
  const items = ready.map((pending) => ({ customId: pending.customId!, payload: pending.request, pending }));
  const plan = planQueue(backend, items, {
    maxRequests: context.options.maxRequests,
    batchSizeLimits: context.batchSizeLimits,
  });
  for (const { item, message } of plan.refused) {
    const outcome = { type: 'error' as const, code: 'invalid_request', message };
    const where = { batchId: null, customId: null, submittedAt: null };
    context.deliver(item.pending, deliveredOutcome(item.pending, where, outcome, Date.now()));
  }
  for (const { group, items: planned } of plan.batches) {
    await submitGroup(
      context,
      backend,
      group,
      planned.map((item) => item.pending),
    );
  }
}

async function submitGroup(
  context: BatcherContext,
  backend: OpenAIBackend,
  group: OpenAIBatchGroup,
  requests: PendingRequest[],
): Promise<void> {
  const { store, scope } = context;
  const submissionId = randomUUID();
  const { label } = group;
  const members = new Map<string, WatchedRequest>(
    requests.map(({ customId, requestKey, digest, attempt, queuedAt }) => [
      customId!,
      { requestKey, digest, attempt, queuedAt },
    ]),
  );
  store.recordSubmission(
    { submissionId, scope, label, createdAt: Date.now() },
    [...members].map(([customId, { digest, attempt, queuedAt }]) => ({ digest, attempt, queuedAt, customId })),
  );
  let finished!: () => void;
  store.submitting.set(submissionId, new Promise<void>((resolve) => (finished = resolve)));
  try {
    const submitted = await backend.submit(group, { metadata: { [submissionMetadataKey]: submissionId } });
    store.markSubmitted(submissionId, submitted.batchId, submitted.submittedAt);
    for (const pending of requests) pending.state = 'in_flight';
    context.log(`submitted batch ${submitted.batchId} (${requests.length} request(s), ${label})`);
    context.watch(
      { submissionId, batchId: submitted.batchId, label, submittedAt: submitted.submittedAt, members },
      false,
    );
  } catch (error) {
    // The backend has retried transient failures already, so the calls fail now. A create that got no clear answer
    // may have made the batch anyway: its record stays for the next run to look up; otherwise it goes, and the next
    // run submits again.
    if (!submissionMayExist(error)) store.forgetSubmission(submissionId);
    for (const pending of requests) context.fail(pending, error);
  } finally {
    store.submitting.delete(submissionId);
    finished();
  }
}
