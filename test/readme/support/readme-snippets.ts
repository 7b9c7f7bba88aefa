import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The README's runnable snippets: each fenced block right after a `<!-- readme-test: NAME -->` comment, by NAME
 * (a file name, e.g. `local-quickstart.ts` or `src/agent.ts`). Read from README.md itself, never copied.
 */
export async function readmeSnippets(
  readmePath = path.join(repositoryRoot, 'README.md'),
): Promise<Map<string, string>> {
  const readme = await readFile(readmePath, 'utf8');
  const snippets = new Map<string, string>();
  const marked = /<!-- readme-test: (\S+) -->\s*\n```[^\n]*\n([\s\S]*?)\n```/g;
  for (const [, name, code] of readme.matchAll(marked)) {
    if (snippets.has(name)) throw new Error(`README.md marks two snippets as ${name}.`);
    snippets.set(name, `${code}\n`);
  }
  return snippets;
}

export function snippet(snippets: Map<string, string>, name: string): string {
  const code = snippets.get(name);
  if (code === undefined) throw new Error(`README.md has no snippet marked <!-- readme-test: ${name} -->.`);
  return code;
}

/**
 * A fresh folder inside this repository for snippet files: there `import ... from 'batch-bridge'` resolves as in a
 * user's project, to the built package through its own `exports` (Node's package self-reference), and `ai` or
 * `@langchain/langgraph` to this repository's node_modules. (`.readme-snippets/` is git-ignored.)
 */
export async function snippetFolder(prefix: string): Promise<string> {
  const parent = path.join(repositoryRoot, '.readme-snippets');
  await mkdir(parent, { recursive: true });
  return mkdtemp(path.join(parent, `${prefix}-`));
}

/** Writes the named snippets into `folder`, each at its name's path. */
export async function writeSnippets(folder: string, snippets: Map<string, string>, names: string[]): Promise<void> {
  for (const name of names) {
    const file = path.join(folder, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, snippet(snippets, name));
  }
}
