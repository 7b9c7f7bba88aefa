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
