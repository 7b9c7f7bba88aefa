import { spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The example graphs import the package by its name (`batch-bridge`), which resolves to dist/. A fresh clone has no
 * dist/, and an edited src/ leaves it stale: build then, and only then (it takes a while on a small machine).
 */
export async function ensureBuilt(root: string, note: (line: string) => void): Promise<void> {
  const builtAt = await modifiedAt(path.join(root, 'dist', 'index.js'));
  if (builtAt > 0 && builtAt >= (await newestSource(path.join(root, 'src')))) return;
  note(`Building batch-bridge into dist/ (${builtAt > 0 ? 'src/ changed since the last build' : 'first run'}) ...`);
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`Building batch-bridge failed (npm run build):\n${output.join('').trim()}`);
}

async function modifiedAt(file: string): Promise<number> {
  return (await stat(file).catch(() => undefined))?.mtimeMs ?? 0;
}

async function newestSource(folder: string): Promise<number> {
  const files = await readdir(folder, { recursive: true });
  const times = await Promise.all(
    files.filter((file) => file.endsWith('.ts')).map((file) => modifiedAt(path.join(folder, file))),
  );
  return Math.max(0, ...times);
}
