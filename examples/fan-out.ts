import { Annotation, Send, StateGraph } from '@langchain/langgraph';
import { generateText } from 'ai';
import { batchOpenAI } from 'batch-bridge';

/**
 * A Send fan-out: one task per question, all waiting at once. The bridge puts their calls into one batch (or a few,
 * as they arrive) and resumes the thread with every answer; each task gets its own.
 */
const State = Annotation.Root({
  questions: Annotation<string[]>(),
  question: Annotation<string | undefined>(),
  answers: Annotation<Array<{ question: string; answer: string }>>({
    reducer: (left, right) => left.concat(right),
    default: () => [],
  }),
});

export const graph = new StateGraph(State)
  .addNode('answerOne', async ({ question }) => {
    const { text } = await generateText({ model: batchOpenAI('gpt-4o-mini'), prompt: question! });
    return { answers: [{ question: question!, answer: text }] };
  })
  .addConditionalEdges(
    '__start__',
    ({ questions }) => questions.map((question) => new Send('answerOne', { question })),
    ['answerOne'],
  )
  .compile({ name: 'fan_out' });
