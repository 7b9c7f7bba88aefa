import { readFileSync } from 'node:fs';
import { Annotation, Send, StateGraph } from '@langchain/langgraph';
import {
  APICallError,
  generateText,
  NoObjectGeneratedError,
  Output,
  stepCountIs,
  tool,
  type LanguageModelUsage,
  type ProviderMetadata,
} from 'ai';
import { z } from 'zod';
import { batchOpenAI } from 'batch-bridge';

/**
 * The agent `npm start` runs: a support desk's triage. One thread takes a page of tickets, fans out one task per
 * ticket (Send), and each task looks the customer up (a tool) and answers with a typed triage (Output.object); then
 * one more call writes the page's handover note. Written exactly as for `openai(...)`: every model call goes through
 * the bridge only because the model is `batchOpenAI.chat(...)`.
 */

export interface SupportTicket {
  id: string;
  customerId: string;
  channel: string;
  createdAt: string;
  subject: string;
  body: string;
}

export const triageSchema = z.object({
  category: z.enum([
    'billing',
    'bug',
    'outage',
    'account',
    'privacy',
    'shipping',
    'feature_request',
    'praise',
    'other',
  ]),
  priority: z.enum(['urgent', 'high', 'normal', 'low']),
  sentiment: z.enum(['angry', 'frustrated', 'neutral', 'happy']),
  team: z.enum(['billing', 'engineering', 'account_management', 'legal', 'logistics', 'product']),
  summary: z.string().describe('One sentence for the agent who picks the ticket up.'),
});
export type Triage = z.infer<typeof triageSchema>;

/** Tokens as the API reported them; the demo prices them. */
export interface TokenUsage {
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
}

export interface TriagedTicket {
  ticketId: string;
  customerId: string;
  subject: string;
  triage: Triage | null;
  error?: string;
  /** One model call is one batch request. */
  modelCalls: number;
  usage: TokenUsage;
  /** The batches that answered this ticket's calls (providerMetadata.batchBridge). */
  batchIds: string[];
}

export interface HandoverNote {
  text: string;
  modelCalls: number;
  usage: TokenUsage;
  batchIds: string[];
}

interface Customer {
  id: string;
  name: string;
  company: string;
  plan: string;
  monthlySpendUsd: number;
  customerSince: string;
  openIncidents: number;
}

// The "CRM": read once per server process, from the dataset scripts/demo/generate-tickets.ts wrote.
const customers = new Map<string, Customer>(
  (JSON.parse(readFileSync(new URL('./data/customers.json', import.meta.url), 'utf8')) as Customer[]).map(
    (customer) => [customer.id, customer],
  ),
);

const lookupCustomer = tool({
  description: 'Looks a customer up in the CRM: plan, monthly spend, customer since, open incidents.',
  inputSchema: z.object({ customerId: z.string().describe('The customer id on the ticket, e.g. C-0042.') }),
  execute: async ({ customerId }) => customers.get(customerId) ?? { customerId, found: false },
});

const instructions =
  'You triage support tickets. First look the customer up with lookupCustomer, then classify the ticket. ' +
  'Outages and security or privacy requests from paying customers are urgent; enterprise customers get one level higher priority.';

const concat = <T>() => Annotation<T[]>({ reducer: (left, right) => left.concat(right), default: () => [] });

const TriageState = Annotation.Root({
  tickets: Annotation<SupportTicket[]>(),
  /** The OpenAI model id; the demo's `--model`. */
  model: Annotation<string | undefined>(),
  /** Set only in the input of one fan-out task. */
  ticket: Annotation<SupportTicket | undefined>(),
  triaged: concat<TriagedTicket>(),
  handover: Annotation<HandoverNote | undefined>(),
});
type State = typeof TriageState.State;

const modelOf = (state: State) => batchOpenAI.chat(state.model ?? 'gpt-4o-mini');

async function triageTicket(state: State): Promise<Partial<State>> {
  const ticket = state.ticket!;
  // Collected step by step, so that a call that fails still reports the calls and tokens before it.
  const steps: Array<{ usage: LanguageModelUsage; providerMetadata?: ProviderMetadata }> = [];
  const triaged = (fields: Pick<TriagedTicket, 'triage' | 'modelCalls'> & { error?: string }): Partial<State> => ({
    triaged: [
      {
        ticketId: ticket.id,
        customerId: ticket.customerId,
        subject: ticket.subject,
        ...fields,
        usage: tokenUsage(steps),
        batchIds: batchIdsOf(steps),
      },
    ],
  });
  try {
    const result = await generateText({
      model: modelOf(state),
      system: instructions,
      prompt: `Ticket ${ticket.id} from customer ${ticket.customerId} via ${ticket.channel}\nSubject: ${ticket.subject}\n\n${ticket.body}`,
      tools: { lookupCustomer },
      output: Output.object({ schema: triageSchema }),
      // Two calls per ticket, every time: the lookup first, then the answer. A fixed shape keeps the demo's count exact.
      prepareStep: ({ stepNumber }) => ({
        toolChoice: stepNumber === 0 ? { type: 'tool', toolName: 'lookupCustomer' } : 'none',
      }),
      stopWhen: stepCountIs(2),
      onStepFinish: (step) => void steps.push(step),
    });
    return triaged({ triage: result.output, modelCalls: steps.length });
  } catch (error) {
    // One ticket's failed request (an API error line, an answer that does not fit the schema) must not fail the page.
    // Anything else, above all the interrupt that pauses this node while its request waits, goes on up.
    if (APICallError.isInstance(error))
      return triaged({ triage: null, modelCalls: steps.length + 1, error: error.message });
    if (NoObjectGeneratedError.isInstance(error))
      return triaged({ triage: null, modelCalls: steps.length, error: error.message });
    throw error;
  }
}

async function writeHandover(state: State): Promise<Partial<State>> {
  const lines = state.triaged.map(
    (item) =>
      `${item.ticketId} ${item.triage?.priority ?? '?'} ${item.triage?.category ?? '?'}: ${item.triage?.summary ?? item.error}`,
  );
  const result = await generateText({
    model: modelOf(state),
    prompt: `Write a three-sentence handover note for the support lead about these triaged tickets:\n${lines.join('\n')}`,
  });
  return {
    handover: {
      text: result.text,
      modelCalls: result.steps.length,
      usage: tokenUsage(result.steps),
      batchIds: batchIdsOf(result.steps),
    },
  };
}

function tokenUsage(steps: Array<{ usage: LanguageModelUsage }>): TokenUsage {
  return {
    inputTokens: steps.reduce((sum, step) => sum + (step.usage.inputTokens ?? 0), 0),
    cachedInputTokens: steps.reduce((sum, step) => sum + (step.usage.inputTokenDetails?.cacheReadTokens ?? 0), 0),
    outputTokens: steps.reduce((sum, step) => sum + (step.usage.outputTokens ?? 0), 0),
  };
}

function batchIdsOf(steps: Array<{ providerMetadata?: ProviderMetadata }>): string[] {
  const ids = steps.map((step) => (step.providerMetadata?.batchBridge as { batchId?: string } | undefined)?.batchId);
  return [...new Set(ids.filter((id): id is string => typeof id === 'string'))];
}

export const graph = new StateGraph(TriageState)
  .addNode('triage', triageTicket)
  .addNode('writeHandover', writeHandover)
  .addConditionalEdges(
    '__start__',
    (state) => state.tickets.map((ticket) => new Send('triage', { ...state, ticket })),
    ['triage'],
  )
  .addEdge('triage', 'writeHandover')
  .compile({ name: 'ticket_triage' });
