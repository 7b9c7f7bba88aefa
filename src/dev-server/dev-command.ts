/**
 * `batch-bridge dev [langgraphjs dev flags]`: the LangGraph dev server, stopped safely. Ctrl-C reaches this launcher
 * only (the server runs in a session of its own); the launcher asks the server to finish its runs and save, and exits
 * after it. A second Ctrl-C says it is still saving; a third ends the server without its last changes (the files stay
 * whole, every save being atomic).
 */
import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DamagedDataFileError } from './data-files.js';
import { DevServerStartError, launchDevServer, type LaunchedDevServer } from './launch-dev-server.js';

export const devUsage = `Usage: batch-bridge dev [options]   (the flags of langgraphjs dev)

Runs the LangGraph dev server (@langchain/langgraph-cli's in-memory server) so that Ctrl-C and SIGTERM let it finish
its runs and save .langgraph_api/ before anything exits, its saves are atomic, and a damaged data file is restored
from its last good copy (or the start is refused) instead of starting an empty server.

  -p, --port <number>               port (default 2024)
  -h, --host <string>               host (default localhost)
  -c, --config <path>               langgraph.json, or its folder (default: the current folder)
  -n, --n-jobs-per-worker <number>  workers running runs (default 10)
      --studio-url <url>            the LangGraph Studio to print a link to
      --no-browser, --no-reload     accepted; the launcher never opens a browser nor reloads (restart it instead)
      --help                        this text`;

const signalExitCodes: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/** The flags of langgraphjs dev that the launcher takes (`batch-bridge` names them when one is mistyped). */
export const devOptions = {
  port: { type: 'string', short: 'p', default: '2024' },
  host: { type: 'string', short: 'h', default: 'localhost' },
  config: { type: 'string', short: 'c', default: process.cwd() },
  'n-jobs-per-worker': { type: 'string', short: 'n', default: '10' },
  'studio-url': { type: 'string', default: 'https://smith.langchain.com' },
  'no-browser': { type: 'boolean', default: false },
  'no-reload': { type: 'boolean', default: false },
  browser: { type: 'boolean', default: false },
  reload: { type: 'boolean', default: false },
  tunnel: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

export async function runDev(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: devOptions });
  if (values.help) return (console.log(devUsage), 0);
  if (positionals.length > 0)
    return (console.error(`batch-bridge dev takes no arguments (got ${positionals.join(' ')}).\n\n${devUsage}`), 2);
  if (values.tunnel)
    return (
      console.error('batch-bridge dev: --tunnel is not supported; run npx langgraphjs dev --tunnel for that.'),
      2
    );
  const port = Number(values.port);
  const workers = Number(values['n-jobs-per-worker']);
  if (!Number.isInteger(port) || port <= 0 || !Number.isInteger(workers) || workers <= 0) {
    return (console.error(`batch-bridge dev: --port and -n take positive whole numbers.\n\n${devUsage}`), 2);
  }

  let server: LaunchedDevServer | undefined;
  let stopSignal: NodeJS.Signals | undefined;
  let presses = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    presses += 1;
    if (!server) process.exit(signalExitCodes[signal] ?? 1);
    if (presses === 1) {
      stopSignal = signal;
      console.error(`\n${signal}: the server finishes its runs and saves ${server.dataFolder} — wait for it.`);
      void server.stop();
    } else if (presses === 2) {
      console.error(
        `Still saving to ${server.dataFolder}. ${signal} once more ends the server without its last changes (the files stay whole).`,
      );
    } else {
      console.error('Ending the server without saving its last changes.');
      server.kill();
    }
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);

  try {
    server = await launchDevServer({ config: values.config, port, host: values.host, workers, output: 'inherit' });
  } catch (error) {
    console.error(
      error instanceof DamagedDataFileError
        ? error.message
        : `batch-bridge dev: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 1;
  }
  await ignoreDataFolder(server.projectDirectory);
  try {
    await server.ready;
  } catch (error) {
    const exit = await server.exited;
    // Stopped while starting: nothing had changed yet.
    if (stopSignal) return signalExitCodes[stopSignal] ?? 1;
    console.error(
      error instanceof DevServerStartError
        ? `batch-bridge dev: ${error.message}`
        : `batch-bridge dev: the server did not start (exit code ${exit.code}); see its output above.`,
    );
    return 1;
  }
  console.log(banner(server, values['studio-url']));
  const exit = await server.exited;
  if (stopSignal) {
    if (exit.code === 0) return signalExitCodes[stopSignal] ?? 0;
    console.error(
      `batch-bridge dev: the server ended without a complete save (${exit.signal ?? `exit code ${exit.code}`}); the files hold its previous save.`,
    );
    return 1;
  }
  console.error(`batch-bridge dev: the server exited on its own (${exit.signal ?? `exit code ${exit.code}`}).`);
  return exit.code === 0 ? 0 : 1;
}

function banner(server: LaunchedDevServer, studioUrl: string): string {
  return [
    '',
    `  API     ${server.url}`,
    `  Studio  ${studioUrl}/studio?baseUrl=${server.url}`,
    `  Data    ${server.dataFolder}  (last good copies in .last-good/)`,
    `  Server  pid ${server.pid}, in a process group of its own: Ctrl-C here (or kill -INT ${process.pid}) stops it safely`,
    '',
    '  Ctrl-C saves the data before exiting; the server restarts where it stopped. This in-memory server is for',
    '  development: a kill -9 or a power loss loses what changed since its last save (a few seconds). Run work that',
    '  must survive crashes on the LangGraph Platform (Postgres).',
    '',
  ].join('\n');
}

/** As `langgraphjs dev` does: keeps the data folder out of git. */
async function ignoreDataFolder(projectDirectory: string) {
  const gitignore = path.join(projectDirectory, '.gitignore');
  const content = await readFile(gitignore, 'utf8').catch(() => '');
  if (!content.includes('.langgraph_api')) await appendFile(gitignore, '\n# LangGraph API\n.langgraph_api\n');
}
