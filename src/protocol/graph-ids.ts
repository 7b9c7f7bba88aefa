import type { Client } from '@langchain/langgraph-sdk';

/** The graph ids a LangGraph server runs, each once, sorted. Errors go to the caller (a server still starting). */
export async function graphIdsOn(client: Client): Promise<string[]> {
  const assistants = await client.assistants.search({ limit: 1000 });
  return [...new Set(assistants.map((assistant) => assistant.graph_id))].sort();
}
