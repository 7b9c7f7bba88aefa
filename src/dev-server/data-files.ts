/**
 * Keeps `.langgraph_api/*.json` from ever starting a server empty by accident. The dev server reads each file once at
 * start and, when a file does not parse, silently starts with that part empty (every thread, run or checkpoint in it
 * gone). So before each start: a file that parses is copied to `.langgraph_api/.last-good/`; a file that is empty or
 * does not parse is restored from that copy; with no good copy the start is refused, saying what to do.
 */
import { copyFile, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

export const dataFolderName = '.langgraph_api';
const lastGoodFolderName = '.last-good';

export interface DataFileCheck {
  /** Files found intact (their last-good copy is now this version). */
  kept: string[];
  /** Files that were empty or cut and were put back from their last good copy, with that copy's time. */
  restored: { file: string; problem: string; copiedAt: Date }[];
}

/** Thrown when a data file is damaged and nothing good is left to restore it from. */
export class DamagedDataFileError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(
      [
        `${file} ${problem}, and there is no good copy of it in ${path.join(path.dirname(file), lastGoodFolderName)}/.`,
        'Starting now would give a server that silently lost everything in that file (threads, runs or checkpoints), so',
        'batch-bridge dev does not start. To start anyway with that part empty, move the file aside:',
        `  mv '${file}' '${file}.damaged'`,
        'or put back a copy from a backup first.',
      ].join('\n'),
    );
    this.name = 'DamagedDataFileError';
  }
}

/** Why a data file cannot be read as JSON, or undefined when it can. */
export async function dataFileProblem(file: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
  }
  if (text.trim().length === 0) return `is empty (${Buffer.byteLength(text)} bytes)`;
  try {
    JSON.parse(text);
    return undefined;
  } catch {
    return `is cut or damaged (${Buffer.byteLength(text)} bytes that do not parse as JSON)`;
  }
}

/**
 * Checks every data file of the project folder before the server reads it; see the file comment. Also removes the
 * temporary files an interrupted atomic write leaves behind (the real file is intact then).
 */
export async function protectDataFiles(projectDirectory: string): Promise<DataFileCheck> {
  const folder = path.join(projectDirectory, dataFolderName);
  const lastGood = path.join(folder, lastGoodFolderName);
  const names = await readdir(folder).catch(() => [] as string[]);
  const result: DataFileCheck = { kept: [], restored: [] };
  for (const name of names.filter((entry) => entry.includes('.json.tmp-')))
    await rm(path.join(folder, name), { force: true });
  for (const name of names.filter((entry) => entry.endsWith('.json'))) {
    const file = path.join(folder, name);
    if (!(await stat(file)).isFile()) continue;
    const problem = await dataFileProblem(file);
    const copy = path.join(lastGood, name);
    if (problem === undefined) {
      await copyAtomically(file, copy);
      result.kept.push(file);
      continue;
    }
    if ((await dataFileProblem(copy)) !== undefined) throw new DamagedDataFileError(file, problem);
    const copiedAt = (await stat(copy)).mtime;
    await copyAtomically(copy, file);
    result.restored.push({ file, problem, copiedAt });
  }
  return result;
}

/** A copy that is never seen half-written: copied beside the target, then renamed over it. */
async function copyAtomically(from: string, to: string) {
  await mkdir(path.dirname(to), { recursive: true });
  const temporary = `${to}.tmp-${process.pid}`;
  await copyFile(from, temporary);
  await rename(temporary, to);
}
