/** Which offered function tool the responder calls, shared by chat (`{function: {name}}`) and Responses (`{name}`). */

export interface OfferedTool {
  name: string;
  parameters: unknown;
}

/**
 * The named tool when `tool_choice` names one; otherwise the first tool whose name appears in the user's text (so a
 * prompt can steer which tool runs); otherwise the first tool. None when `tool_choice` is `none` or no tools fit.
 */
export function chooseTool(
  tools: readonly OfferedTool[],
  toolChoice: unknown,
  userText: string,
): OfferedTool | undefined {
  if (tools.length === 0 || toolChoice === 'none') return undefined;
  const named = namedTool(toolChoice);
  if (named !== undefined) return tools.find((tool) => tool.name === named);
  return tools.find((tool) => userText.includes(tool.name)) ?? tools[0];
}

function namedTool(toolChoice: unknown): string | undefined {
  if (toolChoice === null || typeof toolChoice !== 'object') return undefined;
  const choice = toolChoice as { name?: unknown; function?: { name?: unknown } };
  if (typeof choice.function?.name === 'string') return choice.function.name;
  return typeof choice.name === 'string' ? choice.name : undefined;
}
