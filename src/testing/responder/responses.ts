import { z } from 'zod';
import { parseInput } from '../api-error.js';
import { newIdentifier, unixSeconds } from '../identifiers.js';
import { allText, echoText, estimateTokens, textOfContent, toolResultText, userTexts } from './conversation-text.js';
import { chooseTool, type OfferedTool } from './tool-choice.js';
import { valueFromSchema } from './value-from-schema.js';

const inputItemSchema = z.looseObject({
  type: z.string().optional(),
  role: z.string().optional(),
  content: z.unknown().optional(),
  call_id: z.string().optional(),
  name: z.string().optional(),
  arguments: z.string().optional(),
  output: z.unknown().optional(),
});

const responsesRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(inputItemSchema)]),
  instructions: z.string().nullish(),
  tools: z
    .array(z.looseObject({ type: z.string(), name: z.string().optional(), parameters: z.unknown().optional() }))
    .nullish(),
  tool_choice: z.unknown().optional(),
  text: z
    .looseObject({ format: z.looseObject({ type: z.string(), schema: z.unknown().optional() }).optional() })
    .nullish(),
  max_output_tokens: z.number().int().min(1).nullish(),
});

type ResponsesRequest = z.output<typeof responsesRequestSchema>;
type InputItem = z.output<typeof inputItemSchema>;

function inputItems(request: ResponsesRequest): InputItem[] {
  return typeof request.input === 'string' ? [{ role: 'user', content: request.input }] : request.input;
}

function offeredTools(request: ResponsesRequest): OfferedTool[] {
  return (request.tools ?? [])
    .filter((tool) => tool.type === 'function' && typeof tool.name === 'string')
    .map((tool) => ({ name: tool.name!, parameters: tool.parameters ?? { type: 'object', properties: {} } }));
}

function lastToolResult(items: InputItem[]): { name: string; result: string; toolArguments?: string } | undefined {
  const output = items.findLast((item) => item.type === 'function_call_output');
  if (!output) return undefined;
  // With `store: true` the call itself may come back as an item_reference, which carries no name.
  const call = items.find((item) => item.type === 'function_call' && item.call_id === output.call_id);
  const result =
    typeof output.output === 'string' ? output.output : textOfContent(output.output) || JSON.stringify(output.output);
  return { name: call?.name ?? 'function', result, toolArguments: call?.arguments };
}

function messageItem(text: string): Record<string, unknown> {
  return {
    type: 'message',
    id: newIdentifier('msg_', 40),
    status: 'completed',
    role: 'assistant',
    content: [{ type: 'output_text', text, annotations: [], logprobs: [] }],
  };
}

/** Same precedence as chat: tool call, structured output, tool-result text, echo. */
function outputFor(request: ResponsesRequest): {
  output: Record<string, unknown>[];
  outputText: string;
  truncated: boolean;
} {
  const items = inputItems(request);
  const userText = textOfContent(items.findLast((item) => item.role === 'user')?.content);
  const conversation = userTexts(items.filter((item) => item.role === 'user'));
  const toolResult = lastToolResult(items);
  const tool = toolResult ? undefined : chooseTool(offeredTools(request), request.tool_choice, userText);
  if (tool) {
    const argumentsText = JSON.stringify(valueFromSchema(tool.parameters, { conversation }));
    const call = {
      type: 'function_call',
      id: newIdentifier('fc_', 40),
      call_id: newIdentifier('call_'),
      name: tool.name,
      arguments: argumentsText,
      status: 'completed',
    };
    return { output: [call], outputText: argumentsText, truncated: false };
  }
  const format = request.text?.format;
  if (format?.type === 'json_schema') {
    const schema = format.schema ?? {};
    const json = JSON.stringify(valueFromSchema(schema, { conversation }));
    return { output: [messageItem(json)], outputText: json, truncated: false };
  }
  let text = toolResult
    ? toolResultText(toolResult.name, toolResult.result, toolResult.toolArguments)
    : echoText(userText);
  if (format?.type === 'json_object') text = JSON.stringify({ answer: text });
  const limit = request.max_output_tokens;
  const truncated = limit !== null && limit !== undefined && estimateTokens(text) > limit;
  if (truncated) text = text.slice(0, limit * 4);
  return { output: [messageItem(text)], outputText: text, truncated };
}

/** A `response` object for a Responses API request body. */
export function respondToResponses(body: Record<string, unknown>): Record<string, unknown> {
  const request = parseInput(responsesRequestSchema, body);
  const { output, outputText, truncated } = outputFor(request);
  const inputTokens = estimateTokens(
    allText(request.input) + allText(request.instructions ?? '') + allText(request.tools ?? ''),
  );
  const outputTokens = estimateTokens(outputText);
  return {
    id: newIdentifier('resp_', 48),
    object: 'response',
    created_at: unixSeconds(),
    status: truncated ? 'incomplete' : 'completed',
    background: false,
    error: null,
    incomplete_details: truncated ? { reason: 'max_output_tokens' } : null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    model: request.model,
    output,
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    reasoning: { effort: null, summary: null },
    service_tier: 'default',
    store: body.store ?? true,
    temperature: body.temperature ?? 1,
    text: { format: request.text?.format ?? { type: 'text' }, verbosity: 'medium' },
    tool_choice: request.tool_choice ?? 'auto',
    tools: request.tools ?? [],
    top_p: body.top_p ?? 1,
    truncation: 'disabled',
    usage: {
      input_tokens: inputTokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: outputTokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: inputTokens + outputTokens,
    },
    user: null,
    metadata: body.metadata ?? {},
  };
}
