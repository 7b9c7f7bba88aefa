import type { OpenAIBackend } from '../backends/openai/index.js';
import type { BatchStore } from './batch-store.js';

/**
 * Finds the batch of a recorded submission, for a request an earlier run submitted: a submission this process is
 * still making is awaited; one a dead process left without a batch id is looked up at the API by its tag (once, however
 * many calls ask). Returns null when there is no batch (the requests may be submitted again).
 */
export class SubmissionRecovery {
  private readonly lookups = new Map<string, Promise<string | null>>();

  constructor(
    private readonly store: () => BatchStore,
    private readonly backend: () => OpenAIBackend,
    private readonly log: (line: string) => void,
  ) {}

  async batchOf(submissionId: string) {
    const store = this.store();
    await store.submitting.get(submissionId);
    const submission = store.submission(submissionId);
    if (!submission) return null;
    let batchId = submission.batchId;
    if (batchId === null) {
      let lookup = this.lookups.get(submissionId);
      if (!lookup) {
        lookup = this.backend()
          .findSubmitted(submissionId, submission.createdAt)
          .then((found) => {
            if (found) store.markSubmitted(submissionId, found, submission.createdAt);
            else store.forgetSubmission(submissionId);
            if (found) this.log(`found batch ${found} of an earlier run that stopped before recording it`);
            return found;
          });
        this.lookups.set(submissionId, lookup);
        lookup.catch(() => {}).finally(() => this.lookups.delete(submissionId));
      }
      batchId = await lookup;
      if (batchId === null) return null;
    }
    return { batchId, label: submission.label, submittedAt: submission.submittedAt ?? submission.createdAt };
  }
}
