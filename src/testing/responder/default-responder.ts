import { ApiError, invalidRequest, notFound } from '../api-error.js';
import type { Responder, ResponderRequest } from '../types.js';
import { respondToChatCompletion } from './chat-completions.js';
import { respondToEmbeddings } from './embeddings.js';
import { respondToResponses } from './responses.js';

function respond(request: ResponderRequest): unknown {
  if (request.body.stream === true) {
    throw invalidRequest('The BatchBridge emulator does not stream; send the request without `stream`.', 'stream');
  }
  switch (request.url) {
    case '/v1/chat/completions':
      return respondToChatCompletion(request.body);
    case '/v1/responses':
      return respondToResponses(request.body);
    case '/v1/embeddings':
      return respondToEmbeddings(request.body);
    default:
      throw notFound(`Invalid URL (POST ${String(request.url)})`);
  }
}

/**
 * Answers chat completions, Responses and embeddings requests deterministically (see the README of src/testing
 * for the rules); invalid bodies get the 400 OpenAI would give.
 */
export const defaultResponder: Responder = (request) => {
  try {
    return { statusCode: 200, body: respond(request) };
  } catch (error) {
    if (error instanceof ApiError) return { statusCode: error.status, body: error.body };
    throw error;
  }
};
