import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { copyFile, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const root = resolve(import.meta.dirname ?? '.', '../..');

export interface CompiledServer {
  /** Starts dist/src/<entry>.js as its own OS process with exactly `env` (plus PATH). */
  spawn(
    entry: 'main' | 'worker',
    env: Record<string, string>,
  ): { child: ChildProcess; stderr: () => string; stdout: () => string };
  remove(): Promise<void>;
}

/**
 * The server compiled as `npm start` runs it, into a scratch directory (never the developer's
 * dist/), resolving packages from the repository: the only way to test SIGKILL and SIGTERM.
 */
export async function compileServer(): Promise<CompiledServer> {
  const work = await mkdtemp(join(tmpdir(), 'agentmem-proc-'));
  await promisify(execFile)(
    process.execPath,
    [
      join(root, 'node_modules/typescript/bin/tsc'),
      '-p',
      join(root, 'tsconfig.build.json'),
      '--outDir',
      join(work, 'dist'),
    ],
    { cwd: root },
  );
  // The assets nest-cli.json copies beside the compiled files (`dir/*.ext` patterns under src/).
  const nestCli = JSON.parse(await readFile(join(root, 'nest-cli.json'), 'utf8')) as {
    compilerOptions: { assets: { include: string }[] };
  };
  for (const { include } of nestCli.compilerOptions.assets) {
    const [dir, pattern] = [include.slice(0, include.lastIndexOf('/')), include.slice(include.lastIndexOf('/') + 1)];
    const ext = pattern.replace(/^\*/, '');
    for (const file of await readdir(join(root, 'src', dir))) {
      if (file.endsWith(ext)) await copyFile(join(root, 'src', dir, file), join(work, 'dist', 'src', dir, file));
    }
  }
  await symlink(join(root, 'node_modules'), join(work, 'node_modules'));
  await symlink(join(root, 'package.json'), join(work, 'package.json'));
  return {
    spawn(entry, env) {
      const child = spawn(process.execPath, [join(work, `dist/src/${entry}.js`)], {
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      let stdout = '';
      child.stderr.on('data', (d) => (stderr += d));
      // The log (kept to its last 64 kB: a chatty server must not grow the test's memory).
      child.stdout.on('data', (d) => (stdout = (stdout + d).slice(-65536)));
      return { child, stderr: () => stderr, stdout: () => stdout };
    },
    remove: () => rm(work, { recursive: true, force: true }),
  };
}

/** Resolves with the exit code and signal of a child process. */
export const exitOf = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('exit', (code, signal) => r({ code, signal })),
  );
