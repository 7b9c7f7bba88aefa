import { Annotation, StateGraph } from '@langchain/langgraph';
import { generateText } from 'ai';
import { batchOpenAI } from 'batch-bridge';

/** The one-line swap: this node was written for `openai('gpt-4o-mini')` and still reads like it. */
const State = Annotation.Root({ question: Annotation<string>(), answer: Annotation<string>() });

export const graph = new StateGraph(State)
  .addNode('respond', async ({ question }) => {
    const { text } = await generateText({ model: batchOpenAI('gpt-4o-mini'), prompt: question });
    return { answer: text };
  })
  .addEdge('__start__', 'respond')
  .compile();
