import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import fs from 'node:fs/promises';
import { join, relative } from 'node:path';

const MAX_TOTAL_BYTES = 2 * 1024 * 1024;

/**
 * Reads every file under a workspace folder, by path relative to it, so a
 * rendered skeleton can travel with the stack spec.
 */
export async function readWorkspaceFiles(
  workspacePath: string,
  dir: string,
): Promise<Record<string, string>> {
  const root = resolveSafeChildPath(workspacePath, dir);
  const files: Record<string, string> = {};
  let total = 0;
  async function walk(current: string) {
    for (const entry of await fs.readdir(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) {
        await walk(path);
      } else if (entry.isFile()) {
        const content = await fs.readFile(path, 'utf8');
        total += content.length;
        if (total > MAX_TOTAL_BYTES) {
          throw new InputError(
            `The files of '${dir}' exceed ${MAX_TOTAL_BYTES} bytes`,
          );
        }
        files[relative(root, path)] = content;
      }
    }
  }
  try {
    await walk(root);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new InputError(`No folder '${dir}' in the workspace`);
    }
    throw error;
  }
  return files;
}
