/**
 * The agents of the compatibility check: written the way a user writes them, against the installed packages only
 * ('batch-bridge', 'ai', '@langchain/langgraph', 'zod'), so that one source serves every AI SDK major we support.
 */
import { Annotation, Send, StateGraph } from '@langchain/langgraph';
import { APICallError, embedMany, generateObject, generateText, Output, stepCountIs, tool } from 'ai';
import { z } from 'zod';
import { batchOpenAI } from 'batch-bridge';

const State = Annotation.Root({
  prompt: Annotation<string>(),
  prompts: Annotation<string[]>(),
  api: Annotation<'chat' | 'responses' | undefined>(),
  results: Annotation<Array<Record<string, unknown>>>({
    reducer: (left, right) => left.concat(right),
    default: () => [],
  }),
});
type AgentState = typeof State.State;

// Which Node ran the graph, so that the check can tell the server ran on the row's Node. Read through globalThis:
// the project has no @types/node, as many users' projects do not.
const nodeVersion = (globalThis as { process?: { version?: string } }).process?.version;

// The one-line swap: these were `openai('gpt-4o-mini')` and `openai.chat('gpt-4o-mini')`.
const model = (state: AgentState) =>
  state.api === 'responses' ? batchOpenAI('gpt-4o-mini') : batchOpenAI.chat('gpt-4o-mini');

async function ask(state: AgentState) {
  try {
    const result = await generateText({ model: model(state), prompt: state.prompt });
    const { text, finishReason, usage } = result;
    return {
      results: [
        {
          prompt: state.prompt,
          text,
          finishReason,
          usage,
          batchBridge: result.providerMetadata?.batchBridge,
          nodeVersion,
        },
      ],
    };
  } catch (error) {
    // A failed batch line must reach the caller as the APICallError `openai(...)` would have thrown.
    if (!APICallError.isInstance(error)) throw error;
    return {
      results: [{ prompt: state.prompt, error: { statusCode: error.statusCode, isRetryable: error.isRetryable } }],
    };
  }
}

export const single = new StateGraph(State).addNode('ask', ask).addEdge('__start__', 'ask').compile();

export const fanout = new StateGraph(State)
  .addNode('ask', ask)
  .addConditionalEdges('__start__', (state) =>
    state.prompts.map((prompt) => new Send('ask', { ...state, prompt, prompts: [] })),
  )
  .compile();

const weather = tool({
  description: 'The weather in a city',
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => ({ city, forecast: `sunny in ${city}` }),
});

export const tools = new StateGraph(State)
  .addNode('loop', async (state) => {
    const result = await generateText({
      model: model(state),
      prompt: state.prompt,
      tools: { weather },
      stopWhen: stepCountIs(4),
    });
    const toolResults = result.steps.flatMap((step) => step.toolResults.map((toolResult) => toolResult.output));
    return { results: [{ text: result.text, steps: result.steps.length, toolResults }] };
  })
  .addEdge('__start__', 'loop')
  .compile();

const ticket = z.object({ category: z.enum(['billing', 'bug', 'other']), urgent: z.boolean(), summary: z.string() });

export const structured = new StateGraph(State)
  .addNode('classify', async (state) => {
    const object = await generateObject({ model: model(state), schema: ticket, prompt: state.prompt });
    const output = await generateText({
      model: model(state),
      output: Output.object({ schema: ticket }),
      prompt: `${state.prompt} again`,
    });
    return { results: [{ generateObject: object.object, outputObject: output.output }] };
  })
  .addEdge('__start__', 'classify')
  .compile();

export const embeddings = new StateGraph(State)
  .addNode('embed', async (state) => {
    const result = await embedMany({ model: batchOpenAI.embedding('text-embedding-3-small'), values: state.prompts });
    return { results: [{ embeddings: result.embeddings, usage: result.usage }] };
  })
  .addEdge('__start__', 'embed')
  .compile();
