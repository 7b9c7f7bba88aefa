import type {
  LanguageModelV3GenerateResult,
  LanguageModelV3StreamPart,
  LanguageModelV3StreamResult,
} from '@ai-sdk/provider';

/**
 * A stream made from one finished result: a batch answers whole, so `streamText` in local mode receives the result
 * as one burst (stream-start, response metadata, each text and reasoning part as one delta, tool calls, finish with
 * usage), which is what its consumers (textStream, fullStream, onFinish, tool execution) need.
 */
export function simulateStream(result: LanguageModelV3GenerateResult): LanguageModelV3StreamResult {
  const parts: LanguageModelV3StreamPart[] = [{ type: 'stream-start', warnings: result.warnings }];
  if (result.response) {
    const { id, timestamp, modelId } = result.response;
    parts.push({ type: 'response-metadata', id, timestamp, modelId });
  }
  result.content.forEach((content, index) => {
    if (content.type === 'text' || content.type === 'reasoning') {
      const id = `${content.type}-${index}`;
      const { providerMetadata } = content;
      parts.push(
        { type: `${content.type}-start`, id, providerMetadata },
        { type: `${content.type}-delta`, id, delta: content.text },
        { type: `${content.type}-end`, id },
      );
      return;
    }
    // Tool calls, tool results, files and sources are stream parts exactly as they are content parts.
    parts.push(content);
  });
  parts.push({
    type: 'finish',
    usage: result.usage,
    finishReason: result.finishReason,
    providerMetadata: result.providerMetadata,
  });
  return {
    stream: new ReadableStream<LanguageModelV3StreamPart>({
      start(controller) {
        for (const part of parts) controller.enqueue(part);
        controller.close();
      },
    }),
    request: result.request,
    response: { headers: result.response?.headers },
  };
}

/** A stream whose first read fails with `error`: streamText passes a stream's failure to every reader unchanged. */
export function failedStream(error: Error): LanguageModelV3StreamResult {
  return {
    stream: new ReadableStream<LanguageModelV3StreamPart>({
      start(controller) {
        controller.error(error);
      },
    }),
  };
}
