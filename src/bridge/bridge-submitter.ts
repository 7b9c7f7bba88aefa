import { getStore, type BaseStore } from '@langchain/langgraph';
import { Client } from '@langchain/langgraph-sdk';
import type { SubmittedRequest } from './bridge-events.js';
import { bridgeThreadId, requestKeyOf } from './bridge-identity.js';
import { inboxNamespace } from './bridge-store.js';
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

/** A submit run that is accepted (or on its way) and will not start before `deadline` + margin. */
interface Wake {
  deadline: number;
  accepted: Promise<boolean>;
}

/** Requests sent together wait this long for company, so that a fan-out of many nodes becomes one bridge run. */
const coalesceMs = 25;
const maxRequestsPerEvent = 2_000;
const sendAttempts = 4;
/** A submit run on the bridge's own server starts this much later; requests reaching the inbox meanwhile ride on it. */
const wakeDelaySeconds = 1;
/** An inbox write must be done this long before the run it rides on may start (clocks, the server's stamping). */
const wakeMarginMs = 250;

/**
 * Hands requests to the bridge thread with as few bridge runs as it can. Every run costs the LangGraph server about
 * as much as a waiting thread's own run (a run record, queue scans, checkpoints), and the bridge's runs execute one at
 * a time on its one thread: a run per request doubles the server's work and piles up in its queue (BENCHMARKS.md).
 *
 * On the bridge's own server (no `apiUrl`), a request travels one of two ways:
 * - in a submit run, with the requests of the same 25 ms, created to start `wakeDelaySeconds` later (a wake-up);
 * - while such a run is coming and cannot have started yet, through the inbox: the request is put in the store
 *   (bridge-store.ts) and the coming run takes it in, as every bridge run takes in the inbox.
 * So a process creates about one bridge run per second however many requests it hands over. With `apiUrl` the
 * bridge's store is not this server's, and every request travels in a run, coalesced over 25 ms.
 *
 * The promise resolves once the request is safe: its run is accepted, or it is in the store and the run that takes
 * it in is accepted. A waiting node ends its run only then.
 */
class BridgeSubmitter {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private wake: Wake | undefined;
  private readonly client: Client;
  private readonly threadId: string;
  private readonly usesInbox: boolean;

  constructor(private readonly address: BridgeAddress) {
    this.client = new Client({ apiUrl: address.apiUrl, apiKey: address.apiKey, callerOptions: { maxRetries: 0 } });
    this.threadId = bridgeThreadId(address.assistantId);
    this.usesInbox = address.apiUrl === undefined;
  }

  async submit(request: SubmittedRequest, store: BaseStore | undefined): Promise<void> {
    const wake = this.usesInbox && store ? this.wake : undefined;
    if (wake && Date.now() < wake.deadline) {
      await store!.put(inboxNamespace(this.threadId), requestKeyOf(request.threadId, request.interruptId), request);
      const landedInTime = Date.now() < wake.deadline;
      if (landedInTime && (await wake.accepted)) return;
      // Too late for that run, or it was refused: this request goes in a run of its own. The inbox copy is harmless:
      // the bridge queues a request once, whichever way it came.
    }
    return this.enqueue(request);
  }

  private enqueue(request: SubmittedRequest): Promise<void> {
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
    // Measured before the run is created: the server counts the delay from its creation, which is later still.
    const deadline = Date.now() + wakeDelaySeconds * 1000 - wakeMarginMs;
    const accepted = this.send(sending);
    if (this.usesInbox) this.wake = { deadline, accepted };
  }

  /** Creates the run; resolves true once accepted, false when every attempt failed (the senders then get the error). */
  private async send(sending: Pending[]): Promise<boolean> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= sendAttempts; attempt += 1) {
      try {
        await this.client.runs.create(this.threadId, this.address.assistantId, {
          input: { event: { type: 'submit', requests: sending.map((item) => item.request) } },
          multitaskStrategy: 'enqueue',
          ifNotExists: 'create',
          ...(this.usesInbox ? { afterSeconds: wakeDelaySeconds } : {}),
        });
        for (const item of sending) item.resolve();
        return true;
      } catch (error) {
        lastError = error;
        await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** (attempt - 1)));
      }
    }
    const message = lastError instanceof Error ? lastError.message : String(lastError);
    const error = new BridgeUnavailableError(
      `Could not hand the request to the bridge '${this.address.assistantId}' (thread ${this.threadId}) after ${sendAttempts} attempts: ${message}. ` +
        `Is the bridge graph registered in langgraph.json under that id?`,
    );
    for (const item of sending) item.reject(error);
    return false;
  }
}

const submitters = new Map<string, BridgeSubmitter>();

/** Call it from inside the waiting node: the node's store is where the inbox is written. */
export function submitToBridge(address: BridgeAddress, request: SubmittedRequest): Promise<void> {
  const key = `${address.apiUrl ?? ''}\u0000${address.assistantId}`;
  let submitter = submitters.get(key);
  if (!submitter) {
    submitter = new BridgeSubmitter(address);
    submitters.set(key, submitter);
  }
  return submitter.submit(request, currentStore());
}

function currentStore(): BaseStore | undefined {
  try {
    return getStore();
  } catch {
    return undefined;
  }
}
