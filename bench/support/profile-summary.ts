import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  /** Self time by where the code lives: a package, this project's src/bridge, Node's internals, GC. */
  byArea: Array<{ area: string; ms: number }>;
  /** Self time by function, heaviest first. */
  byFunction: Array<{ name: string; ms: number }>;
  /** Inclusive time of functions that are interesting to this benchmark (the bridge's steps, LangGraph's loop). */
  inclusive: Array<{ name: string; ms: number }>;
}

/** Where a frame's code lives, so that a profile says whether the bridge, LangGraph or the dev server spends the time. */
function areaOf(url: string, functionName: string): string {
  if (functionName === '(idle)' || functionName === '(program)' || functionName === '(garbage collector)')
    return functionName;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const project = /\/(src\/[^/]+|bench)\//.exec(url);
  if (project) return project[1];
  if (url.startsWith('node:') || url === '') return 'node internals';
  return 'other';
}

/** Reads a .cpuprofile and sums sampled time by area and by function. */
export async function summarizeProfile(file: string, inclusiveNames: string[] = []): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const selfUs = new Map<number, number>();
  profile.samples.forEach((nodeId, index) =>
    selfUs.set(nodeId, (selfUs.get(nodeId) ?? 0) + (profile.timeDeltas[index] ?? 0)),
  );
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byArea = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
    const area = areaOf(url, functionName);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
    const name = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(src|bench)\//, '$1/')}:${lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  }

  // Inclusive time: a node's own time plus its subtree's, counted once per named function on each stack.
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = nodes.get(at)!.callFrame.functionName;
      if (inclusiveNames.includes(name) && !seen.has(name)) {
        seen.add(name);
        inclusive.set(name, (inclusive.get(name) ?? 0) + us);
      }
    }
  }
  const sorted = (map: Map<string, number>) =>
    [...map.entries()].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, ms: Math.round(us / 1000) }));
  return {
    totalMs: Math.round((profile.endTime - profile.startTime) / 1000),
    idleMs: Math.round((byArea.get('(idle)') ?? 0) / 1000),
    byArea: sorted(byArea).map(({ name, ms }) => ({ area: name, ms })),
    byFunction: sorted(byFunction),
    inclusive: sorted(inclusive),
  };
}

// `npx tsx bench/support/profile-summary.ts file.cpuprofile [functionName ...]` prints a summary.
if (process.argv[1]?.endsWith('profile-summary.ts') && process.argv[2]) {
  const summary = await summarizeProfile(process.argv[2], process.argv.slice(3));
  console.log(`total ${summary.totalMs} ms, idle ${summary.idleMs} ms`);
  for (const { area, ms } of summary.byArea.slice(0, 15)) console.log(`${String(ms).padStart(8)} ms  ${area}`);
  console.log('---');
  for (const { name, ms } of summary.byFunction.slice(0, 30)) console.log(`${String(ms).padStart(8)} ms  ${name}`);
  console.log('---');
  for (const { name, ms } of summary.inclusive) console.log(`${String(ms).padStart(8)} ms  ${name} (inclusive)`);
}
