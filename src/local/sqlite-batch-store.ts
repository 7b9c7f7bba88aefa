import type { DeliveredOutcome } from '../core/index.js';
import type { BatchStore, StoredSettlement, StoredRequest, StoredSubmission, SubmissionMember } from './batch-store.js';
import type { SqliteDatabase, SqliteDriverName } from './sqlite.js';
import type { StoreLease } from './store-lease.js';

interface RequestRow {
  digest: string;
  status: StoredRequest['status'];
  attempt: number;
  queued_at: number;
  submission_id: string | null;
  custom_id: string | null;
  delivered: string | null;
}

interface SubmissionRow {
  submission_id: string;
  scope: string;
  batch_id: string | null;
  label: string;
  created_at: number;
  submitted_at: number | null;
}

/**
 * The durable store on SQLite. Every change is one transaction, so a process killed at any point leaves either the
 * state before or the state after. Only digests, ids, times and response bodies are written: never a request
 * header, an API key or a request body.
 */
export class SqliteBatchStore implements BatchStore {
  readonly submitting = new Map<string, Promise<void>>();
  private readonly statements;

  constructor(
    private readonly database: SqliteDatabase,
    readonly file: string,
    /** Checked before each submission is recorded: a process whose store was taken over submits nothing more. */
    private readonly lease?: StoreLease,
    readonly driver: SqliteDriverName | null = null,
  ) {
    const prepare = (sql: string) => database.prepare(sql);
    this.statements = {
      lookup: prepare('SELECT * FROM requests WHERE scope = ? AND digest = ?'),
      putSubmission: prepare('INSERT INTO submissions (submission_id, scope, label, created_at) VALUES (?, ?, ?, ?)'),
      putInFlight: prepare(
        `INSERT OR REPLACE INTO requests (scope, digest, status, attempt, queued_at, submission_id, custom_id, delivered, updated_at)
         VALUES (?, ?, 'in_flight', ?, ?, ?, ?, NULL, ?)`,
      ),
      markSubmitted: prepare('UPDATE submissions SET batch_id = ?, submitted_at = ? WHERE submission_id = ?'),
      submission: prepare('SELECT * FROM submissions WHERE submission_id = ?'),
      members: prepare(`SELECT * FROM requests WHERE submission_id = ? AND status = 'in_flight'`),
      forgetMembers: prepare(`DELETE FROM requests WHERE submission_id = ? AND status = 'in_flight'`),
      forgetSubmission: prepare('DELETE FROM submissions WHERE submission_id = ?'),
      putAnswer: prepare(
        `INSERT OR REPLACE INTO requests (scope, digest, status, attempt, queued_at, submission_id, custom_id, delivered, updated_at)
         VALUES (?, ?, 'answered', ?, ?, NULL, ?, ?, ?)`,
      ),
      putRetry: prepare(
        `UPDATE requests SET status = 'retry', attempt = ?, submission_id = NULL, custom_id = NULL, updated_at = ?
         WHERE scope = ? AND digest = ? AND submission_id = ?`,
      ),
      forgetMember: prepare('DELETE FROM requests WHERE scope = ? AND digest = ? AND submission_id = ?'),
    };
  }

  lookup(scope: string, digest: string): StoredRequest | undefined {
    const row = this.statements.lookup.get(scope, digest) as RequestRow | undefined;
    if (!row) return undefined;
    if (row.status === 'answered' && row.delivered) {
      return { status: 'answered', digest, delivered: JSON.parse(row.delivered) as DeliveredOutcome };
    }
    if (row.status === 'in_flight' && row.submission_id && row.custom_id) {
      return {
        status: 'in_flight',
        digest,
        attempt: row.attempt,
        queuedAt: row.queued_at,
        submissionId: row.submission_id,
        customId: row.custom_id,
      };
    }
    return { status: 'retry', digest, attempt: row.attempt, queuedAt: row.queued_at };
  }

  recordSubmission(submission: Omit<StoredSubmission, 'batchId' | 'submittedAt'>, members: SubmissionMember[]): void {
    const now = Date.now();
    this.database.transaction(() => {
      this.lease?.assertHeld();
      this.statements.putSubmission.run(
        submission.submissionId,
        submission.scope,
        submission.label,
        submission.createdAt,
      );
      for (const member of members) {
        this.statements.putInFlight.run(
          submission.scope,
          member.digest,
          member.attempt,
          member.queuedAt,
          submission.submissionId,
          member.customId,
          now,
        );
      }
    })();
  }

  markSubmitted(submissionId: string, batchId: string, submittedAt: number): void {
    this.statements.markSubmitted.run(batchId, submittedAt, submissionId);
  }

  forgetSubmission(submissionId: string): void {
    this.database.transaction(() => {
      this.statements.forgetMembers.run(submissionId);
      this.statements.forgetSubmission.run(submissionId);
    })();
  }

  submission(submissionId: string): StoredSubmission | undefined {
    const row = this.statements.submission.get(submissionId) as SubmissionRow | undefined;
    if (!row) return undefined;
    return {
      submissionId: row.submission_id,
      scope: row.scope,
      batchId: row.batch_id,
      label: row.label,
      createdAt: row.created_at,
      submittedAt: row.submitted_at,
    };
  }

  members(submissionId: string): SubmissionMember[] {
    return (this.statements.members.all(submissionId) as RequestRow[]).map((row) => ({
      digest: row.digest,
      customId: row.custom_id ?? '',
      attempt: row.attempt,
      queuedAt: row.queued_at,
    }));
  }

  settle(submissionId: string, settlements: StoredSettlement[]): void {
    const submission = this.submission(submissionId);
    if (!submission) return;
    const { scope } = submission;
    const now = Date.now();
    this.database.transaction(() => {
      for (const settlement of settlements) {
        if (settlement.kind === 'answered') {
          const { delivered } = settlement;
          // An answer is kept even if a later (fresh) run has sent the request again: it is just as good.
          this.statements.putAnswer.run(
            scope,
            settlement.digest,
            delivered.attempts,
            delivered.queuedAt,
            delivered.customId,
            JSON.stringify(delivered),
            now,
          );
        } else if (settlement.kind === 'retry') {
          this.statements.putRetry.run(settlement.attempt, now, scope, settlement.digest, submissionId);
        } else {
          this.statements.forgetMember.run(scope, settlement.digest, submissionId);
        }
      }
      // Members no settlement named (none should remain) would otherwise point at a batch nobody polls any more.
      this.statements.forgetMembers.run(submissionId);
      this.statements.forgetSubmission.run(submissionId);
    })();
  }

  /** Forgets everything: answers, batches in flight (they keep running at the API, unwatched). */
  clear(): { requests: number; batches: number } {
    return this.database.transaction(() => ({
      requests: this.database.prepare('DELETE FROM requests').run().changes,
      batches: this.database.prepare('DELETE FROM submissions').run().changes,
    }))();
  }

  close(): void {
    this.database.close();
  }
}
