#!/usr/bin/env node
/**
 * The `batch-bridge` command: dispatches to its subcommands. Each one is loaded only when asked for (the SDK and the
 * launcher take time to load on a small machine).
 */
import { argumentErrorMessage, unknownValueMessage } from './unknown-value.js';

interface Command {
  run: (argv: string[]) => Promise<number>;
  /** Its parseArgs options, to name the valid ones when a flag is mistyped. */
  options: Record<string, unknown>;
}

const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  dev: {
    summary: 'run the LangGraph dev server so that Ctrl-C saves its data first (flags of langgraphjs dev)',
    load: async () => {
      const { runDev, devOptions } = await import('../dev-server/dev-command.js');
      return { run: runDev, options: devOptions };
    },
  },
  status: {
    summary: "the bridge's queue and batches in flight on a LangGraph server",
    load: async () => {
      const { runStatus, statusOptions } = await import('./status.js');
      return { run: (argv) => runStatus(['status', ...argv]), options: statusOptions };
    },
  },
};

export const mainUsage = `Usage: batch-bridge <command> [options]

Commands:
${Object.entries(commands)
  .map(([name, { summary }]) => `  ${name.padEnd(8)} ${summary}`)
  .join('\n')}

batch-bridge <command> --help describes one.`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? console.error : console.log)(mainUsage);
    return name === undefined ? 2 : 0;
  }
  const entry = commands[name];
  if (!entry) {
    console.error(`batch-bridge: ${unknownValueMessage('command', name, Object.keys(commands))}\n\n${mainUsage}`);
    return 2;
  }
  const command = await entry.load();
  try {
    return await command.run(rest);
  } catch (error) {
    const message = argumentErrorMessage(error, command.options);
    if (message === undefined) throw error;
    console.error(`batch-bridge ${name}: ${message}\nbatch-bridge ${name} --help describes them.`);
    return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
