/**
 * Scrubs credentials out of text that may end up in an error message or a log. Besides the configured key itself,
 * anything shaped like an OpenAI key or a bearer token goes: a server may echo a (partly masked) key back, and an
 * error may dump request headers.
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let redacted = text;
  for (const secret of secrets) {
    // Very short "secrets" would shred ordinary words; real keys are long.
    if (secret && secret.length >= 8) redacted = redacted.split(secret).join('[redacted]');
  }
  return redacted
    .replace(/\bsk-[A-Za-z0-9_*-]{4,}/g, 'sk-[redacted]')
    .replace(/(bearer\s+)[^\s"',;]+/gi, '$1[redacted]')
    .replace(/("?(?:authorization|api-key|x-api-key)"?\s*[:=]\s*"?)[^\s"',;]+/gi, '$1[redacted]');
}
