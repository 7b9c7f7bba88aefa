import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { WorkloadResult } from './triage-workload.js';

/** One folder per run, next to the project (results/ is git-ignored), named by the time the run started. */
export function resultsFolderOf(root: string, result: WorkloadResult): string {
  return path.join(root, 'results', `triage-${result.startedAt.toISOString().replace(/[:.]/g, '-')}`);
}

/**
 * Writes one run's results: tickets.jsonl, one triaged ticket a line; handover.md, the notes the agent wrote per page;
 * report.txt, the report as printed.
 */
export async function writeResults(folder: string, result: WorkloadResult, report: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  const tickets = result.threads.flatMap((thread) =>
    thread.triaged.map((ticket) => ({
      ticketId: ticket.ticketId,
      customerId: ticket.customerId,
      subject: ticket.subject,
      ...ticket.triage,
      error: ticket.error,
      modelCalls: ticket.modelCalls,
      ...ticket.usage,
      batchIds: ticket.batchIds,
      threadId: thread.threadId,
    })),
  );
  tickets.sort((a, b) => a.ticketId.localeCompare(b.ticketId));
  await writeFile(
    path.join(folder, 'tickets.jsonl'),
    tickets.map((ticket) => JSON.stringify(ticket)).join('\n') + '\n',
  );
  const notes = result.threads.map(
    (thread, index) =>
      `## Page ${index + 1} (thread ${thread.threadId})\n\n${thread.handover?.text ?? `(no note: ${thread.error ?? thread.status})`}\n`,
  );
  await writeFile(path.join(folder, 'handover.md'), `# Handover notes\n\n${notes.join('\n')}`);
  await writeFile(path.join(folder, 'report.txt'), `${report.trim()}\n`);
}
