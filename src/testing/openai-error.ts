/** The one error shape every OpenAI endpoint answers with, also inside batch error-file lines. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export function openAIErrorBody(
  message: string,
  type: string,
  param: string | null = null,
  code: string | null = null,
): OpenAIErrorBody {
  return { error: { message, type, param, code } };
}

/** Bodies for injected line failures, worded like the real API's so retry logic sees familiar types and codes. */
export function errorBodyForStatus(statusCode: number, detail?: string): OpenAIErrorBody {
  const suffix = detail ? ` (${detail})` : '';
  if (statusCode === 429) {
    return openAIErrorBody(
      `Rate limit reached for requests. Please try again later.${suffix}`,
      'requests',
      null,
      'rate_limit_exceeded',
    );
  }
  if (statusCode >= 500) {
    return openAIErrorBody(
      `The server had an error while processing your request. Sorry about that!${suffix}`,
      'server_error',
    );
  }
  if (statusCode === 401) {
    return openAIErrorBody(`Incorrect API key provided.${suffix}`, 'invalid_request_error', null, 'invalid_api_key');
  }
  if (statusCode === 404)
    return openAIErrorBody(`The requested resource was not found.${suffix}`, 'invalid_request_error');
  return openAIErrorBody(`Invalid request.${suffix}`, 'invalid_request_error');
}

/** The body of a marker's failure: `code=insufficient_quota` gets OpenAI's quota body, anything else the status's. */
export function errorBodyForFault(statusCode: number, code?: string): OpenAIErrorBody {
  if (code === 'insufficient_quota') return insufficientQuotaBody();
  return errorBodyForStatus(statusCode, 'injected by a fault marker');
}

/** OpenAI's answer when the account has no credit left: a 429 that no amount of waiting fixes. */
export function insufficientQuotaBody(): OpenAIErrorBody {
  return openAIErrorBody(
    'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
    'insufficient_quota',
    null,
    'insufficient_quota',
  );
}
