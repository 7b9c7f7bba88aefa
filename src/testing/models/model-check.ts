import { openAIErrorBody } from '../openai-error.js';
import type { Responder } from '../types.js';
import { isKnownModel, type AllowedModels } from './known-models.js';

/**
 * Wraps a responder so that a request naming a model OpenAI does not have gets OpenAI's 404 instead of an answer, in
 * a batch line and a synchronous call alike. `allowed` is read on every request so that a setter takes effect at once.
 */
export function withModelCheck(responder: Responder, allowed: () => AllowedModels): Responder {
  return (request) => {
    const model: unknown = request.body.model;
    // A missing model is the responder's (or validation's) business: only a named, unknown model is refused here.
    if (typeof model !== 'string' || isKnownModel(model, allowed())) return responder(request);
    return {
      statusCode: 404,
      body: openAIErrorBody(
        `The model \`${model}\` does not exist or you do not have access to it.`,
        'invalid_request_error',
        null,
        'model_not_found',
      ),
    };
  };
}
