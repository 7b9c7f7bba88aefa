import { z } from 'zod';
import { engineOptionsSchema } from '../core/index.js';

/** The engine's options plus what only the bridge graph has: resume runs, and where the LangGraph API is. */
export const bridgeRunOptionsSchema = engineOptionsSchema.extend({
  /** Resume runs created at once when delivering outcomes. */
  deliveryConcurrency: z.number().int().positive().default(16),
  /** Where the bridge reaches the LangGraph API for ticks and resumes; the server itself when absent. */
  apiUrl: z.string().url().optional(),
});

export type BridgeRunOptions = z.infer<typeof bridgeRunOptionsSchema>;
