/** An input for each example graph in langgraph.json, so that `npm run example -- <graph>` needs nothing else. */
export const exampleInputs: Record<string, Record<string, unknown>> = {
  single_node_agent: { question: 'In one sentence: what is the OpenAI Batch API good for?' },
  fan_out: {
    questions: [
      'Name a use for batch embeddings.',
      'Why are batch requests cheaper?',
      'What is a LangGraph interrupt?',
    ],
  },
  tool_agent: { question: 'Where is my order A-1002, and when will it arrive?' },
  embeddings: {
    texts: [
      'The invoice was charged twice.',
      'I was billed twice this month.',
      'The app crashes on start.',
      'Dark mode, please!',
    ],
  },
  custom_bridge_agent: { text: 'any batch API will do' },
};
