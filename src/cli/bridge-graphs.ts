import type { Client } from '@langchain/langgraph-sdk';

/**
 * How a bridge is told from the other graphs of a server: its drawing is createBridge's one node, `bridge`. (Its state
 * schema would say more, but the dev server extracts schemas with the TypeScript compiler: 20-120 s per graph.)
 */
function isBridgeDrawing(graph: { nodes?: Array<{ id: string | number }> } | undefined): boolean {
  const nodes = (graph?.nodes ?? []).map((node) => String(node.id)).filter((id) => !id.startsWith('__'));
  return nodes.length === 1 && nodes[0] === 'bridge';
}

export interface ServerGraphs {
  /** Graph ids whose state is a bridge's. */
  bridges: string[];
  others: string[];
}

/** The graphs a LangGraph server runs, bridges apart, each list sorted. */
export async function graphsOn(client: Client): Promise<ServerGraphs> {
  const assistants = await client.assistants.search({ limit: 1000 });
  const byGraph = new Map(assistants.map((assistant) => [assistant.graph_id, assistant.assistant_id]));
  const graphs: ServerGraphs = { bridges: [], others: [] };
  await Promise.all(
    [...byGraph].map(async ([graphId, assistantId]) => {
      const drawing = await client.assistants.getGraph(assistantId).catch(() => undefined);
      (isBridgeDrawing(drawing) ? graphs.bridges : graphs.others).push(graphId);
    }),
  );
  graphs.bridges.sort();
  graphs.others.sort();
  return graphs;
}

/** What `batch-bridge status --bridge <id>` says when no bridge graph of the server has that id. */
export function missingBridgeMessage(bridge: string, url: string, graphs: ServerGraphs): string {
  const lines = [
    graphs.others.includes(bridge)
      ? `Bridge '${bridge}' on ${url}: '${bridge}' is a graph of the server, but not a bridge.`
      : `Bridge '${bridge}' on ${url}: the server has no graph '${bridge}'.`,
  ];
  lines.push(
    graphs.bridges.length > 0
      ? `  bridge graphs there: ${graphs.bridges.join(', ')} (batch-bridge status --bridge <id>)`
      : '  it has no bridge graph: register one in langgraph.json (createOpenAIBridge())',
  );
  if (graphs.others.length > 0) lines.push(`  other graphs: ${graphs.others.join(', ')}`);
  return lines.join('\n');
}
