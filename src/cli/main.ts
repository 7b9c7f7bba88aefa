#!/usr/bin/env node
/**
 * The `batch-bridge` command: dispatches to its subcommands. Each one is loaded only when asked for (the SDK and the
 * launcher take time to load on a small machine).
 */
const commands: Record<string, { summary: string; run: (argv: string[]) => Promise<number> }> = {
  dev: {
    summary: 'run the LangGraph dev server so that Ctrl-C saves its data first (flags of langgraphjs dev)',
    run: async (argv) => (await import('../dev-server/dev-command.js')).runDev(argv),
  },
  status: {
    summary: "the bridge's queue and batches in flight on a LangGraph server",
    run: async (argv) => (await import('./status.js')).runStatus(['status', ...argv]),
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
  const command = commands[name];
  if (!command) {
    console.error(
      `batch-bridge: unknown command '${name}'. Valid commands: ${Object.keys(commands).join(', ')}.\n\n${mainUsage}`,
    );
    return 2;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
