import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { formatLintMessage, lintProductFiles } from './lintProducts';

const USAGE = `Usage: yarn store:lint <file.yaml>...

Lints Cloud Store Product descriptors: the Product kind's schema, the rules
the catalog enforces, and that each product's template is a Template in the
given files. Prints file:line: field: message and exits with 1 on errors.`;

/**
 * Runs the product linter on the files named on the command line, and
 * returns the exit code.
 */
export async function main(args: string[], cwd: string): Promise<number> {
  if (args.length === 0 || args.includes('--help') || args.includes('-h')) {
    process.stderr.write(`${USAGE}\n`);
    return args.length === 0 ? 2 : 0;
  }
  const files = [];
  for (const arg of args) {
    try {
      // Named as the caller named it, so that editors and CI logs link it.
      files.push({
        path: arg,
        content: await readFile(resolve(cwd, arg), 'utf8'),
      });
    } catch (error) {
      process.stderr.write(`${arg}: cannot be read: ${error}\n`);
      return 2;
    }
  }
  const messages = lintProductFiles(files);
  for (const message of messages) {
    process.stdout.write(`${formatLintMessage(message)}\n`);
  }
  if (messages.length > 0) {
    process.stderr.write(
      `${messages.length} problem${messages.length > 1 ? 's' : ''} in ${
        new Set(messages.map(m => m.file)).size
      } of ${files.length} file${files.length > 1 ? 's' : ''}\n`,
    );
    return 1;
  }
  process.stderr.write(
    `${files.length} file${files.length > 1 ? 's' : ''}: no problems\n`,
  );
  return 0;
}

if (require.main === module) {
  // Yarn runs scripts from the project root; paths are the caller's.
  main(process.argv.slice(2), process.env.INIT_CWD ?? process.cwd()).then(
    code => {
      process.exitCode = code;
    },
    error => {
      process.stderr.write(`${error?.stack ?? error}\n`);
      process.exitCode = 2;
    },
  );
}
