import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { StackSpec } from '@internal/plugin-cloud-common';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { join } from 'node:path';

/** What the provider keeps on disk about a stack, to survive restarts. */
export interface StackRecord {
  stackId: string;
  name: string;
  region: string;
  spec: StackSpec;
  state: 'running' | 'stopped' | 'deleting';
  nextIndex: Record<string, number>;
  nodes: NodeRecord[];
}

/** One node of a {@link StackRecord}. */
export interface NodeRecord {
  name: string;
  role: string;
  port: number;
  wanted: 'running' | 'stopped';
}

/**
 * The provider's data folder:
 *
 * ```
 * host.json                          the host identity
 * router.json                        the router's port, kept across restarts
 * stacks/<stackId>/stack.json        a StackRecord
 * stacks/<stackId>/nodes/<node>/     node.log, node.pid
 * stacks/<stackId>/nodes/<node>/work the node's own folder, in its sandbox
 * ```
 *
 * Records are written to a temporary file and renamed, so a crash leaves
 * the old or the new one, never half of one.
 */
export class StateFiles {
  private readonly stacksDir: string;

  private constructor(private readonly dataDir: string) {
    this.stacksDir = join(dataDir, 'stacks');
  }

  static create(dataDir: string): StateFiles {
    fs.mkdirSync(join(dataDir, 'stacks'), { recursive: true });
    const { mode, uid } = fs.statSync(dataDir);
    if (uid === process.getuid?.() && !(mode & 0o001)) {
      // passable, not readable, by the unprivileged user of the sandboxes,
      // which binds each node's own folder by its path
      fs.chmodSync(dataDir, (mode & 0o7777) | 0o001);
    }
    return new StateFiles(dataDir);
  }

  /** The host identity: generated once per data folder. */
  hostId(): string {
    const file = join(this.dataDir, 'host.json');
    try {
      const { hostId } = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (typeof hostId === 'string' && hostId) {
        return hostId;
      }
    } catch {
      // first start on this folder
    }
    const hostId = `local-${randomUUID()}`;
    this.writeAtomically(file, JSON.stringify({ hostId }));
    return hostId;
  }

  readRouterPort(): number | undefined {
    try {
      return JSON.parse(
        fs.readFileSync(join(this.dataDir, 'router.json'), 'utf8'),
      ).port;
    } catch {
      return undefined;
    }
  }

  writeRouterPort(port: number) {
    this.writeAtomically(
      join(this.dataDir, 'router.json'),
      JSON.stringify({ port }),
    );
  }

  listStackIds(): string[] {
    return fs.readdirSync(this.stacksDir);
  }

  /** The saved record, or undefined for a deploy cut off before its first save. */
  readStack(stackId: string): StackRecord | undefined {
    try {
      return JSON.parse(
        fs.readFileSync(join(this.stackDir(stackId), 'stack.json'), 'utf8'),
      );
    } catch {
      return undefined;
    }
  }

  saveStack(record: StackRecord) {
    const dir = this.stackDir(record.stackId);
    fs.mkdirSync(join(dir, 'nodes'), { recursive: true });
    this.writeAtomically(
      join(dir, 'stack.json'),
      JSON.stringify(record, null, 2),
    );
  }

  /** Names of the node folders of a stack, recorded or not. */
  listNodeDirs(stackId: string): string[] {
    try {
      return fs.readdirSync(join(this.stackDir(stackId), 'nodes'));
    } catch {
      return [];
    }
  }

  stackDir(stackId: string) {
    return resolveSafeChildPath(this.stacksDir, stackId);
  }

  nodeDir(stackId: string, name: string) {
    return resolveSafeChildPath(this.stackDir(stackId), join('nodes', name));
  }

  /** The folder a node may write, inside its sandbox. */
  workDir(stackId: string, name: string) {
    return join(this.nodeDir(stackId, name), 'work');
  }

  /**
   * Writes the healthy upstreams for a load-balancer node, into the folder
   * that the node (and scripts run on it) may write: a link planted there
   * is replaced, never followed.
   */
  writeUpstreams(stackId: string, name: string, upstreams: string[]) {
    const dir = this.workDir(stackId, name);
    if (!fs.existsSync(dir)) {
      return;
    }
    const file = join(dir, 'upstreams.json');
    const tmp = `${file}.tmp`;
    fs.rmSync(tmp, { force: true, recursive: true });
    // O_EXCL: fails rather than follow a link put there meanwhile
    const fd = fs.openSync(tmp, 'wx', 0o644);
    try {
      fs.writeSync(fd, JSON.stringify(upstreams));
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  }

  async removeStack(stackId: string) {
    // not rmSync: other stacks' calls go on while the folder goes
    await fs.promises.rm(this.stackDir(stackId), {
      recursive: true,
      force: true,
    });
  }

  async removeNode(stackId: string, name: string) {
    await fs.promises.rm(this.nodeDir(stackId, name), {
      recursive: true,
      force: true,
    });
  }

  private writeAtomically(file: string, content: string) {
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, content);
    fs.renameSync(tmp, file);
  }
}
