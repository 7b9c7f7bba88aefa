/**
 * The first thing `npm start -- --url URL` does: one request to the server's /info, bounded by a timeout, with plain
 * fetch (the LangGraph SDK takes seconds to load on a small machine and retries a dead port for 20-30 s). A user
 * waiting on a typo'd port hears of it within two seconds.
 */
export const probeTimeoutMs = 1_500;

/** Resolves when a LangGraph server answers at `url`; rejects with a message that says what to do otherwise. */
export async function probeLangGraphServer(url: string, timeoutMs = probeTimeoutMs): Promise<void> {
  const infoUrl = new URL('info', url.endsWith('/') ? url : `${url}/`);
  let response: Response;
  try {
    response = await fetch(infoUrl, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const timedOut = (error as Error).name === 'TimeoutError';
    throw new Error(
      `No LangGraph server answers at ${url} (${timedOut ? `no answer within ${timeoutMs / 1000} s` : 'connection refused or failed'}). ` +
        'Start one from this project (npx langgraphjs dev --port <port>) and pass its URL, or leave out --url and the demo starts its own.',
      { cause: error },
    );
  }
  await response.body?.cancel();
  if (!response.ok) {
    throw new Error(
      `The server at ${url} answered ${infoUrl.pathname} with HTTP ${response.status}: is it a LangGraph server (langgraphjs dev or the LangGraph Platform)?`,
    );
  }
}
