import { getStore, type BaseStore } from '@langchain/langgraph';
import { Client } from '@langchain/langgraph-sdk';
import { randomUUID } from 'node:crypto';
import { BridgeUnavailableError, errorMessage, requestKeyOf } from '../core/index.js';
import { isMissingAssistant, missingBridgeError } from './missing-bridge.js';
import {
  bridgeThreadId,
  inboxNamespace,
  wakeKey,
  wakeNamespace,
  type BridgeEvent,
  type HandOver,
  type WakeMarker,
} from '../protocol/index.js';

export interface BridgeAddress {
  /** The bridge's graph id in langgraph.json (its assistant id). */
  assistantId: string;
  /** The LangGraph API; the server this code runs in when absent. */
  apiUrl?: string;
  apiKey?: string;
}

interface Pending {
  request: HandOver;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** Requests sent together wait this long for company, so that a fan-out of many nodes becomes one bridge run. */
const coalesceMs = 25;
const maxRequestsPerEvent = 2_000;
const sendAttempts = 4;
/** An inbox run starts this much later, so that the requests of the next second ride on it too. */
const wakeDelaySeconds = 1;
/** A coming inbox run not started after this long is taken as lost (its creator died first): the next request makes one. */
const wakeLostAfterMs = 60_000;

/**
 * Hands requests to the bridge thread with as few bridge runs as it can. Every run costs the LangGraph server about
 * as much as a waiting thread's own run, and the bridge's runs execute one at a time on its one thread. Runs waiting
 * there are worse: langgraphjs dev looks at every run it holds for each of them, on every pass of every worker, and a
 * queue of them stalls the whole server (BENCHMARKS.md).
 *
 * On the bridge's own server (no `apiUrl`), a request is put in the store's inbox (protocol/langgraph-internals.ts), which every
 * bridge run takes in. An inbox run is created only when none is coming: one is coming while the wake marker is in
 * the store, which its creator writes before creating it and the inbox run takes away before reading the inbox.
 * A request that still sees the marker after its own write is therefore read by that run. So the bridge's thread has
 * one such run waiting (two when a loaded server takes over `wakeLostAfterMs` to start one), and a process creates at
 * most about one per second, however many requests arrive.
 * With `apiUrl` the bridge's store is not this server's, and every request travels in a run, coalesced over 25 ms.
 *
 * The promise resolves once the request is safe: it is in the store and the run that takes it in is accepted (or its
 * own run is accepted). A waiting node ends its run only then.
 */
class HandOverClient {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** The inbox run this process is about to create: a request that finds no marker joins it until its marker is written. */
  private preparing: Promise<void> | undefined;
  /** Inbox runs this process is creating, by wake id, until the server accepts or refuses them. */
  private readonly creating = new Map<string, Promise<void>>();
  private readonly client: Client;
  private readonly threadId: string;
  private readonly usesInbox: boolean;

  constructor(private readonly address: BridgeAddress) {
    this.client = new Client({ apiUrl: address.apiUrl, apiKey: address.apiKey, callerOptions: { maxRetries: 0 } });
    this.threadId = bridgeThreadId(address.assistantId);
    this.usesInbox = address.apiUrl === undefined;
  }

  async handOver(request: HandOver, store: BaseStore | undefined): Promise<void> {
    if (!this.usesInbox || !store) return this.enqueue(request);
    const key = requestKeyOf(request.threadId, request.interruptId);
    await store.put(inboxNamespace(this.threadId), key, request);
    try {
      const marker = await this.comingWake(store);
      if (marker && Date.now() - marker.createdAt < wakeLostAfterMs) {
        // Coming and not started. Another process's run is its creator's to see accepted; ours, this process waits for.
        return await this.creating.get(marker.wakeId);
      }
      return await this.joinWake(store);
    } catch (error) {
      // The node fails with this error and nobody will wait for the request: it should not be submitted and billed.
      await store.delete(inboxNamespace(this.threadId), key).catch(() => undefined);
      throw error;
    }
  }

  private async comingWake(store: BaseStore): Promise<WakeMarker | undefined> {
    return (await store.get(wakeNamespace(this.threadId), wakeKey))?.value as WakeMarker | undefined;
  }

  private joinWake(store: BaseStore): Promise<void> {
    if (this.preparing) return this.preparing;
    const wakeId = randomUUID();
    const marked = store.put(wakeNamespace(this.threadId), wakeKey, {
      wakeId,
      createdAt: Date.now(),
    } satisfies WakeMarker);
    const creation = marked.then(() => this.createRun({ type: 'inbox' }, wakeDelaySeconds));
    this.preparing = creation;
    this.creating.set(wakeId, creation);
    // From the moment the marker is in the store, a request reads it instead of joining (it was put in the inbox first).
    const stopJoining = () => {
      if (this.preparing === creation) this.preparing = undefined;
    };
    marked.then(stopJoining, stopJoining);
    creation.then(
      () => this.creating.delete(wakeId),
      async () => {
        this.creating.delete(wakeId);
        // Refused: the marker would keep later requests from making a run of their own.
        const current = await this.comingWake(store).catch(() => undefined);
        if (current?.wakeId === wakeId)
          await store.delete(wakeNamespace(this.threadId), wakeKey).catch(() => undefined);
      },
    );
    return creation;
  }

  private enqueue(request: HandOver): Promise<void> {
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
    this.createRun({ type: 'hand_over', requests: sending.map((item) => item.request) }).then(
      () => sending.forEach((item) => item.resolve()),
      (error: Error) => sending.forEach((item) => item.reject(error)),
    );
  }

  /** Creates a bridge run; throws BridgeUnavailableError when every attempt failed. */
  private async createRun(event: BridgeEvent, afterSeconds?: number): Promise<void> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= sendAttempts; attempt += 1) {
      try {
        await this.client.runs.create(this.threadId, this.address.assistantId, {
          input: { event },
          multitaskStrategy: 'enqueue',
          ifNotExists: 'create',
          ...(afterSeconds ? { afterSeconds } : {}),
        });
        return;
      } catch (error) {
        // A bridge that is not a graph of the server stays missing: say so at once, with the graphs it has.
        if (isMissingAssistant(error))
          throw await missingBridgeError(this.client, this.address.assistantId, this.address.apiUrl);
        lastError = error;
        await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** (attempt - 1)));
      }
    }
    throw new BridgeUnavailableError(
      `Could not hand the request to the bridge '${this.address.assistantId}' (thread ${this.threadId}) after ${sendAttempts} attempts: ${errorMessage(lastError)}.`,
    );
  }
}

const clients = new Map<string, HandOverClient>();

/** Call it from inside the waiting node: the node's store is where the inbox is written. */
export function handOverToBridge(address: BridgeAddress, request: HandOver): Promise<void> {
  const key = `${address.apiUrl ?? ''}\u0000${address.assistantId}`;
  let client = clients.get(key);
  if (!client) {
    client = new HandOverClient(address);
    clients.set(key, client);
  }
  return client.handOver(request, currentStore());
}

function currentStore(): BaseStore | undefined {
  try {
    return getStore();
  } catch {
    return undefined;
  }
}
