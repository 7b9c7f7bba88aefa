import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SupportTicket } from '../../examples/ticket-triage.js';

/** The first `count` tickets of the bundled dataset (scripts/demo/generate-tickets.ts wrote it). */
export async function loadTickets(root: string, count: number): Promise<SupportTicket[]> {
  const text = await readFile(path.join(root, 'examples', 'data', 'support-tickets.jsonl'), 'utf8');
  const tickets = text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as SupportTicket);
  if (count > tickets.length) throw new Error(`The dataset has ${tickets.length} tickets; asked for ${count}.`);
  return tickets.slice(0, count);
}
