import { randomUUID } from 'node:crypto';
import { BatchApiError } from '../../backends/openai/index.js';
import type { BatchGroup, BatchRequest, Backend } from '../../backends/types.js';
import { customIdOf } from '../bridge-identity.js';
import type { BatcherContext } from './batcher-context.js';
import { errorMessage } from './errors.js';
import { submissionMetadataKey } from './find-submitted-batch.js';
import { deliveredOutcome, type BatchMember, type PendingRequest } from './pending-request.js';

/**
 * Submits requests the flush policy released: grouped by the backend (endpoint and model, within the API's limits),
 * cut at `maxRequests`, one batch per group. Each submission is recorded before the upload, so a process killed
 * while creating the batch leaves a trace the next run can resolve (see findSubmittedBatch).
 */
export async function submitRequests(context: BatcherContext, ready: PendingRequest[]): Promise<void> {
  for (const pending of ready) {
    pending.state = 'submitting';
    pending.customId = customIdOf(pending.key, pending.attempt);
  }
  let backend: Backend;
  try {
    backend = context.api().backend;
  } catch (error) {
    for (const pending of ready) context.fail(pending, error);
    return;
  }
  for (const group of planGroups(context, backend, ready)) {
    await submitGroup(context, backend, group);
  }
}

interface PlannedGroup {
  group: BatchGroup;
  requests: PendingRequest[];
}

function batchRequestOf(pending: PendingRequest): BatchRequest {
  return { customId: pending.customId!, url: pending.request.url, body: pending.request.body };
}

/** A request the backend cannot place (too large, no model, unknown endpoint) gets its own error; the rest go on. */
function planGroups(context: BatcherContext, backend: Backend, ready: PendingRequest[]): PlannedGroup[] {
  let plannable = ready;
  let groups: BatchGroup[];
  try {
    groups = backend.plan(ready.map(batchRequestOf));
  } catch {
    plannable = ready.filter((pending) => {
      try {
        backend.plan([batchRequestOf(pending)]);
        return true;
      } catch (error) {
        const outcome = { type: 'error' as const, code: 'invalid_request', message: errorMessage(error) };
        context.deliver(pending, deliveredOutcome(pending, { batchId: null, customId: null, submittedAt: null }, outcome, Date.now()));
        return false;
      }
    });
    groups = plannable.length > 0 ? backend.plan(plannable.map(batchRequestOf)) : [];
  }
  const byCustomId = new Map(plannable.map((pending) => [pending.customId!, pending]));
  const { maxRequests } = context.options;
  return groups.flatMap((group) => {
    const members = group.requests.map((request) => byCustomId.get(request.customId)!);
    const slices: PlannedGroup[] = [];
    for (let start = 0; start < members.length; start += maxRequests) {
      const slice = members.slice(start, start + maxRequests);
      // A slice of a planned group is planned again for its own byte count; it is still one group.
      const [sliceGroup] = slice.length === members.length ? [group] : backend.plan(slice.map(batchRequestOf));
      slices.push({ group: sliceGroup, requests: slice });
    }
    return slices;
  });
}

async function submitGroup(context: BatcherContext, backend: Backend, { group, requests }: PlannedGroup): Promise<void> {
  const { store, scope } = context;
  const submissionId = randomUUID();
  const label = `${group.url} ${group.model}`;
  const members = new Map<string, BatchMember>(
    requests.map((pending) => [pending.customId!, { key: pending.key, digest: pending.digest, attempt: pending.attempt, queuedAt: pending.queuedAt }]),
  );
  store.recordSubmission(
    { submissionId, scope, label, createdAt: Date.now() },
    [...members].map(([customId, member]) => ({ ...member, customId })),
  );
  let finished!: () => void;
  store.submitting.set(submissionId, new Promise<void>((resolve) => (finished = resolve)));
  try {
    const submitted = await backend.submit(group, { metadata: { [submissionMetadataKey]: submissionId } });
    store.markSubmitted(submissionId, submitted.batchId, submitted.submittedAt);
    for (const pending of requests) pending.state = 'in_flight';
    context.log(`submitted batch ${submitted.batchId} (${requests.length} request(s), ${label})`);
    context.watch({ submissionId, batchId: submitted.batchId, label, submittedAt: submitted.submittedAt, members }, false);
  } catch (error) {
    // The backend has retried transient failures already, so the calls fail now. A create that got no clear answer
    // may have made the batch anyway: its record stays for the next run to look up; otherwise it goes, and the next
    // run submits again.
    if (!mayHaveCreatedBatch(error)) store.forgetSubmission(submissionId);
    for (const pending of requests) context.fail(pending, error);
  } finally {
    store.submitting.delete(submissionId);
    finished();
  }
}

function mayHaveCreatedBatch(error: unknown): boolean {
  return error instanceof BatchApiError && error.operation === 'createBatch' && (error.status === undefined || error.status >= 500);
}
