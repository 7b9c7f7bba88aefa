import { randomUUID } from 'node:crypto';
import type { OpenAIBackend, OpenAIBatchGroup } from '../backends/openai/index.js';
import { submissionMayExist, submissionMetadataKey } from '../backends/types.js';
import {
  afterSubmitFailure,
  customIdOf,
  deliveredOutcome,
  errorMessage,
  planQueue,
  queuedTooLong,
} from '../core/index.js';
import type { Outcome } from '../backends/types.js';
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
    delete context.submitFailures[label];
    for (const pending of requests) pending.state = 'in_flight';
    context.log(`submitted batch ${submitted.batchId} (${requests.length} request(s), ${label})`);
    context.watch(
      { submissionId, batchId: submitted.batchId, label, submittedAt: submitted.submittedAt, members },
      false,
    );
  } catch (error) {
    // A create that got no clear answer may have made the batch anyway: its record stays for the next run to look
    // up, and the calls fail (this run cannot know). Otherwise the core decides, as in the bridge: a final refusal
    // answers the calls with the API's error; a passing one backs the group off and submits it again.
    if (submissionMayExist(error)) {
      for (const pending of requests) context.fail(pending, error);
      return;
    }
    store.forgetSubmission(submissionId);
    refused(context, group.label, requests, error);
  } finally {
    store.submitting.delete(submissionId);
    finished();
  }
}

/** The API refused a batch: answer its calls (a final refusal, or waited too long), or queue them again later. */
function refused(context: BatcherContext, label: string, requests: PendingRequest[], error: unknown): void {
  const now = Date.now();
  const failures = context.submitFailures[label] ?? 0;
  const decision = afterSubmitFailure(error, { failures, now, submitBackoffMs: context.options.submitBackoffMs });
  if (decision.action === 'fail') {
    context.log(`the API refused a batch of ${requests.length} (${label}); its calls fail: ${errorMessage(error)}`);
    for (const pending of requests) answerWithError(context, pending, decision.outcome);
    return;
  }
  context.submitFailures[label] = failures + 1;
  context.log(
    `submitting a batch of ${requests.length} (${label}) failed (${failures + 1} in a row); tried again at ` +
      `${new Date(decision.until).toISOString()}: ${errorMessage(error)}`,
  );
  for (const pending of requests) {
    if (queuedTooLong(pending.queuedAt, now, context.options.maxQueueMs)) {
      answerWithError(context, pending, {
        type: 'error',
        code: 'submission_timed_out',
        message: `The API refused to take this request for ${Math.round(context.options.maxQueueMs / 60_000)} min (maxQueueMs): ${errorMessage(error)}`,
      });
    } else {
      context.requeue(pending, pending.attempt, decision.until);
    }
  }
}

function answerWithError(context: BatcherContext, pending: PendingRequest, outcome: Outcome): void {
  const where = { batchId: null, customId: null, submittedAt: null };
  context.deliver(pending, deliveredOutcome(pending, where, outcome, Date.now()));
}
