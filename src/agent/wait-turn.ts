import { getConfig } from '@langchain/langgraph';
import { scratchpadKey } from '../protocol/index.js';

/**
 * Calls that wait inside one task take turns, in the order they started. LangGraph matches answers to interrupts by
 * their order in the task (an interrupt's id counts the answers already given), so parallel calls (Promise.all in one
 * node) must reach interrupt() in the same order every time the node runs; then they are answered one after the other.
 */
export interface WaitTurn {
  ready: Promise<void>;
  release(): void;
  /** Interrupt ids already used in this execution of the task: a later call that gets the same id waits its turn. */
  usedInterruptIds: Set<string>;
}

const turnsByTaskExecution = new WeakMap<object, { tail: Promise<void>; usedInterruptIds: Set<string> }>();

/** Takes the calling model call's turn in its task. Call it synchronously, before the first await of the call. */
export function takeWaitTurn(): WaitTurn | undefined {
  // A new scratchpad is made for every execution of a task; it is the key that tells executions apart.
  const scratchpad: unknown = getConfig()?.configurable?.[scratchpadKey];
  if (typeof scratchpad !== 'object' || scratchpad === null) return undefined;
  let task = turnsByTaskExecution.get(scratchpad);
  if (!task) {
    task = { tail: Promise.resolve(), usedInterruptIds: new Set() };
    turnsByTaskExecution.set(scratchpad, task);
  }
  const ready = task.tail;
  let release!: () => void;
  task.tail = new Promise<void>((resolve) => (release = resolve));
  return { ready, release, usedInterruptIds: task.usedInterruptIds };
}
