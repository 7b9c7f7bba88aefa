import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Runs the `batch-bridge` command from the sources; resolves with its exit code and output, also when it fails. */
async function batchBridge(...args: string[]) {
  return promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), ...args], {
    cwd: root,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      stdout: error.stdout,
      stderr: error.stderr,
    }),
  );
}

describe('the batch-bridge command', () => {
  it('--help lists its commands', async () => {
    const { code, stdout } = await batchBridge('--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\s+dev\s+run the LangGraph dev server/m);
    expect(stdout).toMatch(/^\s+status\s+the bridge's queue/m);
  });

  it('an unknown command is named, with the valid ones', async () => {
    const { code, stderr } = await batchBridge('deploy');
    expect(code).toBe(2);
    expect(stderr).toContain("unknown command 'deploy'. Valid commands: dev, status.");
  });

  it('a mistyped command is named, with the nearest valid one and all of them', async () => {
    const { code, stderr } = await batchBridge('statsu');
    expect(code).toBe(2);
    expect(stderr).toContain("unknown command 'statsu'. Did you mean 'status'? Valid commands: dev, status.");
  });

  it('a mistyped flag of status or dev is named, with the nearest valid one and all of them', async () => {
    const status = await batchBridge('status', '--bridg', 'x');
    expect(status.code).toBe(2);
    expect(status.stderr).toContain(
      "batch-bridge status: unknown option '--bridg'. Did you mean '--bridge'? Valid options: --url, --bridge, --json, --help.",
    );
    const dev = await batchBridge('dev', '--prot', '3000');
    expect(dev.code).toBe(2);
    expect(dev.stderr).toContain("batch-bridge dev: unknown option '--prot'. Did you mean '--port'? Valid options:");
    expect(dev.stderr).toMatch(/Valid options: .*--port, --host, --config, --n-jobs-per-worker/);
    // Cut short: the one option it begins.
    const short = await batchBridge('dev', '--n-jobs', '2');
    expect(short.stderr).toContain("unknown option '--n-jobs'. Did you mean '--n-jobs-per-worker'?");
  });

  it('status names an argument it does not take', async () => {
    const { code, stderr } = await batchBridge('status', 'batch_bridge');
    expect(code).toBe(2);
    expect(stderr).toContain("batch-bridge status: unexpected argument 'batch_bridge'.");
  });

  it('each command has its own help', async () => {
    const dev = await batchBridge('dev', '--help');
    expect(dev.code).toBe(0);
    expect(dev.stdout).toContain('Usage: batch-bridge dev [options]');
    const status = await batchBridge('status', '--help');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('Usage: batch-bridge status');
  });

  it('dev refuses a flag it does not support, saying what to use', async () => {
    const { code, stderr } = await batchBridge('dev', '--tunnel');
    expect(code).toBe(2);
    expect(stderr).toContain('--tunnel is not supported');
  });
});
