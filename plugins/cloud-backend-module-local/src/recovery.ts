import { LoggerService } from '@backstage/backend-plugin-api';
import fs from 'node:fs';
import { killLeftover } from './processes';
import { StackRecord, StateFiles } from './StateFiles';

/**
 * Cleans up after a backend that was killed: ends the node processes it
 * left running, removes the folders of nodes and stacks that were being
 * created or deleted, and returns the stacks to bring back.
 */
export function recoverStacks(
  files: StateFiles,
  logger: LoggerService,
): StackRecord[] {
  const records: StackRecord[] = [];
  for (const stackId of files.listStackIds()) {
    const record = files.readStack(stackId);
    if (!record) {
      // a deploy that crashed before its first write
      fs.rmSync(files.stackDir(stackId), { recursive: true, force: true });
      continue;
    }
    for (const name of files.listNodeDirs(stackId)) {
      const dir = files.nodeDir(stackId, name);
      if (killLeftover(dir, `${stackId}/${name}`)) {
        logger.info(`Ended leftover process of node ${stackId}/${name}`);
      }
      if (!record.nodes.some(n => n.name === name)) {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
    if (record.state === 'deleting') {
      fs.rmSync(files.stackDir(stackId), { recursive: true, force: true });
      continue;
    }
    records.push(record);
  }
  return records;
}
