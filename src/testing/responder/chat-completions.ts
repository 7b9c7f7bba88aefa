import { z } from 'zod';
import { parseInput } from '../api-error.js';
import { newIdentifier, unixSeconds } from '../identifiers.js';
import { allText, echoText, estimateTokens, textOfContent, toolResultText, userTexts } from './conversation-text.js';
import { chooseTool, type OfferedTool } from './tool-choice.js';
import { valueFromSchema } from './value-from-schema.js';

const messageSchema = z.looseObject({
  role: z.string(),
  content: z.unknown().optional(),
  tool_call_id: z.string().optional(),
  tool_calls: z
    .array(
      z.looseObject({
        id: z.string().optional(),
        function: z.looseObject({ name: z.string(), arguments: z.string().optional() }).optional(),
      }),
    )
    .nullish(),
});

const chatRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(messageSchema).min(1),
  tools: z
    .array(
      z.looseObject({
        type: z.string(),
        function: z.looseObject({ name: z.string(), parameters: z.unknown().optional() }).optional(),
      }),
    )
    .nullish(),
  tool_choice: z.unknown().optional(),
  response_format: z
    .looseObject({ type: z.string(), json_schema: z.looseObject({ schema: z.unknown().optional() }).optional() })
    .nullish(),
  n: z.number().int().min(1).max(128).nullish(),
  max_completion_tokens: z.number().int().min(1).nullish(),
  max_tokens: z.number().int().min(1).nullish(),
});

type ChatRequest = z.output<typeof chatRequestSchema>;
type ChatMessage = ChatRequest['messages'][number];

interface Answer {
  content: string | null;
  toolCall?: { id: string; type: 'function'; function: { name: string; arguments: string } };
  finishReason: 'stop' | 'length' | 'tool_calls';
}

function offeredTools(request: ChatRequest): OfferedTool[] {
  return (request.tools ?? [])
    .filter((tool) => tool.type === 'function' && tool.function)
    .map((tool) => ({
      name: tool.function!.name,
      parameters: tool.function!.parameters ?? { type: 'object', properties: {} },
    }));
}

function lastToolResult(messages: ChatMessage[]): { name: string; result: string; toolArguments?: string } | undefined {
  const toolMessage = messages.findLast((message) => message.role === 'tool');
  if (!toolMessage) return undefined;
  const call = messages
    .flatMap((message) => message.tool_calls ?? [])
    .find((toolCall) => toolCall.id !== undefined && toolCall.id === toolMessage.tool_call_id);
  return {
    name: call?.function?.name ?? 'function',
    result: textOfContent(toolMessage.content),
    toolArguments: call?.function?.arguments,
  };
}

function truncated(text: string, maximumTokens: number | null | undefined): Answer {
  if (!maximumTokens || estimateTokens(text) <= maximumTokens) return { content: text, finishReason: 'stop' };
  return { content: text.slice(0, maximumTokens * 4), finishReason: 'length' };
}

/** Tool call first (tools offered, no tool result yet), then structured output, then tool-result text, then echo. */
function answer(request: ChatRequest): Answer {
  const userText = textOfContent(request.messages.findLast((message) => message.role === 'user')?.content);
  const conversation = userTexts(request.messages.filter((message) => message.role === 'user'));
  const toolResult = lastToolResult(request.messages);
  const tool = toolResult ? undefined : chooseTool(offeredTools(request), request.tool_choice, userText);
  if (tool) {
    const argumentsText = JSON.stringify(valueFromSchema(tool.parameters, { conversation }));
    return {
      content: null,
      toolCall: {
        id: newIdentifier('call_'),
        type: 'function',
        function: { name: tool.name, arguments: argumentsText },
      },
      finishReason: 'tool_calls',
    };
  }
  const format = request.response_format;
  if (format?.type === 'json_schema') {
    const schema = format.json_schema?.schema ?? {};
    return { content: JSON.stringify(valueFromSchema(schema, { conversation })), finishReason: 'stop' };
  }
  const text = toolResult
    ? toolResultText(toolResult.name, toolResult.result, toolResult.toolArguments)
    : echoText(userText);
  if (format?.type === 'json_object') return { content: JSON.stringify({ answer: text }), finishReason: 'stop' };
  return truncated(text, request.max_completion_tokens ?? request.max_tokens);
}

/** A `chat.completion` object for a chat completions request body. */
export function respondToChatCompletion(body: Record<string, unknown>): Record<string, unknown> {
  const request = parseInput(chatRequestSchema, body);
  const result = answer(request);
  const promptTokens = estimateTokens(allText(request.messages) + allText(request.tools ?? ''));
  const completionTokens = estimateTokens(result.content ?? result.toolCall?.function.arguments ?? '');
  const message = {
    role: 'assistant',
    content: result.content,
    refusal: null,
    annotations: [],
    ...(result.toolCall ? { tool_calls: [result.toolCall] } : {}),
  };
  return {
    id: newIdentifier('chatcmpl-', 29),
    object: 'chat.completion',
    created: unixSeconds(),
    model: request.model,
    choices: Array.from({ length: request.n ?? 1 }, (_, index) => ({
      index,
      message,
      logprobs: null,
      finish_reason: result.finishReason,
    })),
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: 0,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    },
    service_tier: 'default',
    system_fingerprint: 'fp_emulator',
  };
}
