/**
 * Batch a script: a plain Node script classifies reviews with generateText, and every call goes through the OpenAI
 * Batch API (half the price) without any server. Concurrent calls become one batch; the answers are kept in
 * `.batch-bridge/`, so running the script again costs nothing, and a run stopped with Ctrl-C picks up its batch.
 *
 *   npx tsx examples/batch-a-script.ts            # OPENAI_API_KEY set: real batches (minutes to hours)
 *   npx tsx examples/batch-a-script.ts --fresh    # ignore the stored answers for this run
 *   npx tsx examples/batch-a-script.ts --clear    # forget the stored answers first
 *
 * Without OPENAI_API_KEY it starts the offline OpenAI Batch API emulator and says so.
 */
import { generateText } from 'ai';
import { clearBatchCache, createBatchOpenAI } from 'batch-bridge';
import { startOpenAIBatchEmulator, type RunningEmulator } from 'batch-bridge/testing';

const reviews = [
  'The battery lasts two days and the screen is gorgeous.',
  'Stopped working after a week. Support never answered.',
  'It does what it says. Nothing more, nothing less.',
  'Best purchase this year, my kids love it.',
  'The box arrived crushed and a cable was missing.',
];

let emulator: RunningEmulator | undefined;
if (!process.env.OPENAI_API_KEY) {
  // A fixed port keeps the store's answers valid from one run to the next (they belong to one API address).
  emulator = await startOpenAIBatchEmulator({ port: 8089 }).catch(() => startOpenAIBatchEmulator());
  console.log(`No OPENAI_API_KEY: using the offline OpenAI Batch API emulator at ${emulator.baseURL}, not OpenAI.`);
}

if (process.argv.includes('--clear')) console.log('Cleared the store:', await clearBatchCache());

const batchOpenAI = createBatchOpenAI({
  ...(emulator && { baseURL: emulator.baseURL, apiKey: 'emulator' }),
  local: {
    fresh: process.argv.includes('--fresh'),
    // Real batches take minutes: poll every 30 s (the default). The emulator answers in a fraction of a second.
    ...(emulator && { pollIntervalMs: 200 }),
  },
});

const rows = await Promise.all(
  reviews.map(async (review) => {
    const { text, providerMetadata } = await generateText({
      model: batchOpenAI('gpt-4o-mini'),
      prompt: `Classify the sentiment of this review as positive, negative or neutral; answer with one word.\n\n${review}`,
    });
    const batch = providerMetadata?.batchBridge as { batchId: string; fromCache: boolean } | undefined;
    return {
      review: review.slice(0, 40),
      answer: text.slice(0, 40),
      batch: batch?.batchId,
      fromStore: batch?.fromCache,
    };
  }),
);
console.table(rows);
await emulator?.close();
