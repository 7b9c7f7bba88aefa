export { wait, waitForOutcome, isInLangGraphServerRun, type WaitOptions } from './wait.js';
export { takeWaitTurn, type WaitTurn } from './wait-turn.js';
export { cancelBatchRequests, type CancelBatchRequestsOptions } from './cancel-client.js';
export {
  waitForAnswer,
  ThreadRunError,
  WaitForAnswerTimeoutError,
  type WaitForAnswerOptions,
} from './wait-for-answer.js';
