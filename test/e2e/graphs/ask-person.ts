import { Annotation, interrupt, StateGraph } from '@langchain/langgraph';
import { generateText } from 'ai';
import { createBatchOpenAI } from '../../../src/index.js';

const batchOpenAI = createBatchOpenAI({ bridge: 'batch_bridge' });

const State = Annotation.Root({
  prompt: Annotation<string>(),
  draft: Annotation<string>(),
  approved: Annotation<boolean>(),
});

/** A batch call, then a question to a person (an interrupt of the graph's own), then the end. */
export const askPerson = new StateGraph(State)
  .addNode('write', async (state) => {
    const { text } = await generateText({ model: batchOpenAI.chat('gpt-4o-mini'), prompt: state.prompt });
    return { draft: text };
  })
  .addNode('approve', (state) => ({ approved: interrupt({ question: `Send this? ${state.draft}` }) === 'yes' }))
  .addEdge('__start__', 'write')
  .addEdge('write', 'approve')
  .compile();
