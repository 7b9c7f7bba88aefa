/**
 * Finds what the dev server process needs: @langchain/langgraph-api (the server `langgraphjs dev` runs; a dependency
 * of @langchain/langgraph-cli, which the user installs) and the tsx loader it ships with (the graphs are TypeScript).
 * Looked up from the project first, so the server is the one `npx langgraphjs dev` would run there.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface ServerModules {
  /** The @langchain/langgraph-api package folder. */
  apiRoot: string;
  /** `--import` URL of tsx's loader. */
  tsxLoader: string;
  /** `--import` URL of the API's preload module (it routes the graphs' @langchain/langgraph imports). */
  preload: string;
  /** Our server entrypoint, next to this file (TypeScript when running from the sources). */
  entry: string;
}

const here = fileURLToPath(import.meta.url);

export function resolveServerModules(projectDirectory: string): ServerModules {
  const apiPackageJson = resolveFrom(
    [path.join(projectDirectory, 'package.json'), cliPackageJson(projectDirectory), here],
    '@langchain/langgraph-api/package.json',
  );
  if (!apiPackageJson) {
    throw new Error(
      'batch-bridge dev runs the server of @langchain/langgraph-cli, which is not installed here: npm install -D @langchain/langgraph-cli',
    );
  }
  const apiRoot = path.dirname(apiPackageJson);
  const tsxPackageJson = resolveFrom(
    [apiPackageJson, path.join(projectDirectory, 'package.json'), here],
    'tsx/package.json',
  );
  if (!tsxPackageJson)
    throw new Error(`batch-bridge dev: tsx (a dependency of @langchain/langgraph-api) was not found from ${apiRoot}.`);
  const tsxExports = (JSON.parse(readFileSync(tsxPackageJson, 'utf8')) as { exports?: Record<string, unknown> })
    .exports;
  const loader = typeof tsxExports?.['.'] === 'string' ? tsxExports['.'] : './dist/loader.mjs';
  const extension = path.extname(here);
  return {
    apiRoot,
    tsxLoader: pathToFileURL(path.join(path.dirname(tsxPackageJson), loader)).href,
    preload: pathToFileURL(path.join(apiRoot, 'dist/preload.mjs')).href,
    entry: path.join(path.dirname(here), `server-entry${extension}`),
  };
}

function cliPackageJson(projectDirectory: string): string {
  return (
    resolveFrom([path.join(projectDirectory, 'package.json'), here], '@langchain/langgraph-cli/package.json') ?? here
  );
}

function resolveFrom(parents: string[], specifier: string): string | undefined {
  for (const parent of parents) {
    try {
      return createRequire(parent).resolve(specifier);
    } catch {
      // not reachable from there
    }
  }
  return undefined;
}
