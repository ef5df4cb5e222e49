// `sig`: one CLI for every stage of the pipeline. Each file in ./commands registers one command;
// heavy modules (TensorFlow.js, onnxruntime) are imported inside the command's action, so `--help` is instant.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { isUserError } from '@sig/shared';

/** What every module in ./commands exports. */
export interface CommandModule {
  register(program: Command): void;
}

// The version for `sig --version`: the trainer package's, kept equal to the project's (root package.json).
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('sig')
  .description('Handwritten-signature models: ingest, synthesise, train, evaluate, export to ONNX, serve.')
  .version(version, '-V, --version', 'print the version of signature-stack')
  // Program options only before the command: `sig export --version 1.1.0` is export's own option.
  .enablePositionalOptions()
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

const dir = fileURLToPath(new URL('./commands/', import.meta.url));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .sort();
for (const file of files) {
  const mod = (await import(new URL(`./commands/${file}`, import.meta.url).href)) as CommandModule;
  mod.register(program);
}

function fail(message: string, code: number): never {
  process.stderr.write(`sig: ${message.split('\n')[0]}\n`);
  process.exit(code);
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Help and version are "errors" to commander; their text is already printed.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
      process.exit(0);
    }
    process.exit(err.exitCode === 0 ? 0 : 2);
  }
  if (isUserError(err)) fail(err.message, 1);
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT' || e?.code === 'EACCES' || e?.code === 'ENOTDIR' || e?.code === 'EISDIR') {
    fail(`cannot read ${e.path ?? 'input'}: ${e.code === 'ENOENT' ? 'no such file or directory' : e.code}`, 1);
  }
  if (process.env.SIG_DEBUG) console.error(err);
  fail(`internal error: ${e?.message ?? String(err)} (set SIG_DEBUG=1 for the stack)`, 70);
}
