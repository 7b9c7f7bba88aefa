import { Annotation, StateGraph } from '@langchain/langgraph';
import { cosineSimilarity, embedMany } from 'ai';
import { batchOpenAI } from 'batch-bridge';

/**
 * Embeddings through the Batch API: `embedMany` sends its values (in chunks of up to 2048) as /v1/embeddings lines.
 * The node keeps the most similar pair, not the vectors: state is no place for thousands of floats.
 */
const State = Annotation.Root({
  texts: Annotation<string[]>(),
  mostSimilar: Annotation<{ first: string; second: string; similarity: number } | undefined>(),
  dimensions: Annotation<number>(),
});

export const graph = new StateGraph(State)
  .addNode('embed', async ({ texts }) => {
    const { embeddings } = await embedMany({ model: batchOpenAI.embedding('text-embedding-3-small'), values: texts });
    let best = { first: '', second: '', similarity: -Infinity };
    for (let i = 0; i < texts.length; i += 1) {
      for (let j = i + 1; j < texts.length; j += 1) {
        const similarity = cosineSimilarity(embeddings[i], embeddings[j]);
        if (similarity > best.similarity) best = { first: texts[i], second: texts[j], similarity };
      }
    }
    return { mostSimilar: best, dimensions: embeddings[0]?.length ?? 0 };
  })
  .addEdge('__start__', 'embed')
  .compile({ name: 'embeddings' });
