import { Client } from '@langchain/langgraph-sdk';
import type { SubmittedRequest } from './bridge-events.js';
import { bridgeThreadId } from './bridge-identity.js';
import { BridgeUnavailableError } from './errors.js';

export interface BridgeAddress {
  /** The bridge's graph id in langgraph.json (its assistant id). */
  assistantId: string;
  /** The LangGraph API; the server this code runs in when absent. */
  apiUrl?: string;
  apiKey?: string;
}

interface Pending {
  request: SubmittedRequest;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** Requests sent together wait this long for company, so that a fan-out of many nodes becomes one bridge run. */
const coalesceMs = 25;
const maxRequestsPerEvent = 2_000;
const sendAttempts = 4;

/**
 * Hands requests to the bridge thread. Requests submitted at the same moment in this process share one bridge run.
 * The promise resolves once the run is accepted, so a waiting node ends its run only when its request is safe.
 */
class BridgeSubmitter {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly client: Client;

  constructor(private readonly address: BridgeAddress) {
    this.client = new Client({ apiUrl: address.apiUrl, apiKey: address.apiKey, callerOptions: { maxRetries: 0 } });
  }

  submit(request: SubmittedRequest): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ request, resolve, reject });
      if (this.pending.length >= maxRequestsPerEvent) this.sendNow();
      else this.timer ??= setTimeout(() => this.sendNow(), coalesceMs);
    });
  }

  private sendNow(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const sending = this.pending.splice(0, maxRequestsPerEvent);
    if (this.pending.length > 0) this.timer = setTimeout(() => this.sendNow(), 0);
    void this.send(sending);
  }

  private async send(sending: Pending[]): Promise<void> {
    const threadId = bridgeThreadId(this.address.assistantId);
    let lastError: unknown;
    for (let attempt = 1; attempt <= sendAttempts; attempt += 1) {
      try {
        await this.client.runs.create(threadId, this.address.assistantId, {
          input: { event: { type: 'submit', requests: sending.map((item) => item.request) } },
          multitaskStrategy: 'enqueue',
          ifNotExists: 'create',
        });
        for (const item of sending) item.resolve();
        return;
      } catch (error) {
        lastError = error;
        await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** (attempt - 1)));
      }
    }
    const message = lastError instanceof Error ? lastError.message : String(lastError);
    const error = new BridgeUnavailableError(
      `Could not hand the request to the bridge '${this.address.assistantId}' (thread ${threadId}) after ${sendAttempts} attempts: ${message}. ` +
        `Is the bridge graph registered in langgraph.json under that id?`,
    );
    for (const item of sending) item.reject(error);
  }
}

const submitters = new Map<string, BridgeSubmitter>();

export function submitToBridge(address: BridgeAddress, request: SubmittedRequest): Promise<void> {
  const key = `${address.apiUrl ?? ''}\u0000${address.assistantId}`;
  let submitter = submitters.get(key);
  if (!submitter) {
    submitter = new BridgeSubmitter(address);
    submitters.set(key, submitter);
  }
  return submitter.submit(request);
}
