/**
 * Reads langgraph.json the way `langgraphjs dev` does (a folder means its langgraph.json; `env` is a .env file or an
 * object, and never overrides a variable already set) and turns it into the server's start options.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseEnv } from 'node:util';

export interface LangGraphConfig {
  graphs: Record<string, unknown>;
  env?: string | Record<string, string> | unknown[];
  auth?: unknown;
  ui?: unknown;
  ui_config?: unknown;
  http?: unknown;
  node_loader?: string;
  python_version?: string;
}

export interface ResolvedConfig {
  configPath: string;
  projectDirectory: string;
  config: LangGraphConfig;
  /** Variables langgraph.json adds (its .env file or object), for those not already in the environment. */
  configEnv: Record<string, string>;
}

export async function readLangGraphConfig(configOrFolder: string): Promise<ResolvedConfig> {
  const resolved = path.resolve(configOrFolder);
  const configPath = (await stat(resolved).catch(() => undefined))?.isDirectory()
    ? path.join(resolved, 'langgraph.json')
    : resolved;
  const text = await readFile(configPath, 'utf8').catch(() => {
    throw new Error(`No LangGraph config at ${configPath} (pass --config path/to/langgraph.json).`);
  });
  const config = JSON.parse(text) as LangGraphConfig;
  if (config.python_version)
    throw new Error(`${configPath} describes a Python project; batch-bridge dev runs the JS server only.`);
  if (!config.graphs || typeof config.graphs !== 'object') throw new Error(`${configPath} has no "graphs".`);
  const projectDirectory = path.dirname(configPath);
  return { configPath, projectDirectory, config, configEnv: await readConfigEnv(config, projectDirectory) };
}

async function readConfigEnv(config: LangGraphConfig, projectDirectory: string): Promise<Record<string, string>> {
  if (config.env === undefined) return {};
  if (typeof config.env === 'string') {
    const text = await readFile(path.resolve(projectDirectory, config.env), 'utf8').catch(() => {
      console.error(`[batch-bridge dev] env file "${config.env as string}" not found; continuing without it.`);
      return '';
    });
    return parseEnv(text) as Record<string, string>;
  }
  if (Array.isArray(config.env))
    throw new Error('langgraph.json: an "env" list (env storage) is not supported by the dev server.');
  return config.env;
}

/** The payload the server's `startServer` takes (StartServerSchema). */
export function serverPayload(resolved: ResolvedConfig, server: { port: number; host: string; workers: number }) {
  const { config } = resolved;
  return {
    port: server.port,
    nWorkers: server.workers,
    host: server.host,
    graphs: config.graphs,
    auth: config.auth,
    ui: config.ui,
    ui_config: config.ui_config,
    cwd: resolved.projectDirectory,
    http: config.http,
  };
}
