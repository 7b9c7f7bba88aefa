import { describe, expect, it } from 'vitest';
import { BatchOutputError } from '../../src/backends/openai/errors.js';
import { parseBatchOutput, readLines, type BatchOutputLine } from '../../src/backends/openai/parse-batch-output.js';
import { fixtureJson, fixtureText, inChunks, parsedFixture } from './support/fixtures.js';

async function parseAll(text: string, chunkSize = 64): Promise<BatchOutputLine[]> {
  const lines: BatchOutputLine[] = [];
  for await (const line of parseBatchOutput(inChunks(text, chunkSize), 'file-test')) lines.push(line);
  return lines;
}

async function parseError(text: string): Promise<BatchOutputError> {
  try {
    await parseAll(text);
  } catch (error) {
    expect(error).toBeInstanceOf(BatchOutputError);
    return error as BatchOutputError;
  }
  throw new Error('expected a BatchOutputError');
}

describe('parseBatchOutput', () => {
  it('reads an output file of a completed batch, bodies untouched', async () => {
    const lines = await parsedFixture('output-completed.jsonl');
    expect(lines.map((line) => line.custom_id)).toEqual(['request-3', 'request-1', 'request-2']);
    const one = lines.find((line) => line.custom_id === 'request-1');
    expect(one?.response?.status_code).toBe(200);
    expect(one?.response?.body).toEqual({ ...fixtureJson('chat-completion.json') });
    expect(one?.error).toBeNull();
  });

  it('reads error lines with and without an HTTP response', async () => {
    const httpErrors = await parsedFixture('errors-completed.jsonl');
    expect(httpErrors.map((line) => line.response?.status_code)).toEqual([429, 400, 500]);
    const expired = await parsedFixture('errors-expired.jsonl');
    expect(expired.map((line) => [line.response, line.error?.code])).toEqual([
      [null, 'batch_expired'],
      [null, 'batch_expired'],
    ]);
  });

  it('gives the same lines whatever the chunking, multi-byte characters split across chunks included', async () => {
    const body = { choices: [{ message: { content: 'héllo 👋 世界' } }] };
    const text = [1, 2, 3]
      .map((index) =>
        JSON.stringify({ id: `b${index}`, custom_id: `c${index}`, response: { status_code: 200, body }, error: null }),
      )
      .join('\n');
    const expected = await parseAll(text, 1 << 20);
    for (const size of [1, 2, 3, 7]) expect(await parseAll(text, size)).toEqual(expected);
    expect(expected[2].response?.body).toEqual(body);
  });

  it('tolerates a trailing newline, CRLF line ends and blank lines, and keeps file line numbers', async () => {
    const line = (id: string) => JSON.stringify({ custom_id: id, response: null, error: { code: 'batch_expired' } });
    const text = `${line('a')}\r\n\r\n${line('b')}\n\n`;
    const numbered: number[] = [];
    for await (const each of readLines(inChunks(text, 5))) numbered.push(each.lineNumber);
    expect(numbered).toEqual([1, 3]);
    expect((await parseAll(text)).map((each) => each.custom_id)).toEqual(['a', 'b']);
  });

  it('reads an empty file as no lines', async () => {
    expect(await parseAll('')).toEqual([]);
    expect(await parseAll('\n')).toEqual([]);
  });

  it('names the file and line of a line that is not JSON', async () => {
    const good = fixtureText('output-expired.jsonl');
    const error = await parseError(`${good}{"custom_id": "x", "respo`);
    expect(error.lineNumber).toBe(2);
    expect(error.fileId).toBe('file-test');
    expect(error.message).toContain('line 2');
    expect(error.retryable).toBe(false);
  });

  it('refuses lines that are JSON but not output lines', async () => {
    expect((await parseError('{"response": null, "error": {"code": "x"}}\n')).message).toContain('custom_id');
    expect((await parseError('{"custom_id": "a", "response": null, "error": null}\n')).message).toContain(
      'neither a response nor an error',
    );
    expect((await parseError('{"custom_id": "a", "response": {"body": {}}, "error": null}\n')).message).toContain(
      'status_code',
    );
    expect((await parseError('[1, 2]\n')).lineNumber).toBe(1);
  });

  it('refuses a file that is not UTF-8', async () => {
    async function* invalid() {
      yield new Uint8Array([0x7b, 0xff, 0xfe, 0x7d, 0x0a]);
    }
    const lines = parseBatchOutput(invalid(), 'file-binary');
    await expect(lines.next()).rejects.toThrow(/not valid UTF-8/);
  });

  it('streams 50,000 lines without trouble', async () => {
    const line = (index: number) =>
      `${JSON.stringify({ custom_id: `r${index}`, response: { status_code: 200, body: { n: index } }, error: null })}\n`;
    async function* chunks() {
      let buffer = '';
      for (let index = 0; index < 50_000; index += 1) {
        buffer += line(index);
        if (buffer.length > 60_000) {
          yield Buffer.from(buffer);
          buffer = '';
        }
      }
      yield Buffer.from(buffer);
    }
    let count = 0;
    let last: BatchOutputLine | undefined;
    for await (const each of parseBatchOutput(chunks(), 'file-big')) {
      count += 1;
      last = each;
    }
    expect(count).toBe(50_000);
    expect(last?.custom_id).toBe('r49999');
  });
});
