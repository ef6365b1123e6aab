import {
  coreServices,
  createServiceFactory,
  createServiceRef,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { AuditLogEntry } from '../database/AuditLogStore';

/** Where the queue writes entries: the audit plugin's store. */
export interface AuditLogWriter {
  append(entries: AuditLogEntry[]): Promise<void>;
}

const BATCH = 100;
/** Entries kept while no writer is attached yet, e.g. during start-up. */
const MAX_PENDING = 10_000;
const RETRY_DELAYS_MS = [250, 2_000];

/**
 * Carries audit events from the auditor of every plugin to the audit log.
 *
 * Plugins emit events in their request handlers, so a push never waits for
 * the database: entries are written in the background, in batches, in the
 * order they were pushed. A batch that cannot be written is retried, then
 * logged and dropped; the event's log line is written regardless.
 */
export class AuditEventQueue {
  private pending: AuditLogEntry[] = [];
  private writer?: AuditLogWriter;
  private draining?: Promise<void>;
  private overflowReported = false;

  private constructor(
    private readonly logger: LoggerService,
    private readonly retryDelaysMs: number[],
  ) {}

  static create(options: {
    logger: LoggerService;
    /** The pauses before each retry of a batch that failed to write. */
    retryDelaysMs?: number[];
  }): AuditEventQueue {
    return new AuditEventQueue(
      options.logger,
      options.retryDelaysMs ?? RETRY_DELAYS_MS,
    );
  }

  /** Queues an entry for writing; never throws. */
  push(entry: AuditLogEntry): void {
    this.pending.push(entry);
    if (this.pending.length > MAX_PENDING) {
      this.pending.shift();
      if (!this.overflowReported) {
        this.overflowReported = true;
        this.logger.error(
          `More than ${MAX_PENDING} audit events wait for the audit log; the oldest are dropped (is the audit plugin installed?)`,
        );
      }
    }
    void this.drain();
  }

  /** Starts writing to `writer`; the audit plugin calls this once. */
  attach(writer: AuditLogWriter): void {
    if (this.writer) {
      throw new Error('The audit log writer is already attached');
    }
    this.writer = writer;
    void this.drain();
  }

  /** Resolves once every entry pushed so far is written or dropped. */
  async flush(): Promise<void> {
    while (this.writer && (this.pending.length > 0 || this.draining)) {
      await this.drain();
    }
  }

  private drain(): Promise<void> {
    if (!this.writer) {
      return Promise.resolve();
    }
    if (!this.draining) {
      this.draining = this.writeAll(this.writer).finally(() => {
        this.draining = undefined;
        // Pushed after the last batch was taken, before this ran.
        if (this.pending.length > 0) {
          void this.drain();
        }
      });
    }
    return this.draining;
  }

  private async writeAll(writer: AuditLogWriter) {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, BATCH);
      for (let attempt = 0; ; attempt++) {
        try {
          await writer.append(batch);
          this.overflowReported = false;
          break;
        } catch (error) {
          if (attempt < this.retryDelaysMs.length) {
            await new Promise(resolve =>
              setTimeout(resolve, this.retryDelaysMs[attempt]).unref(),
            );
            continue;
          }
          this.logger.error(
            `Could not write ${
              batch.length
            } audit events to the audit log (${batch
              .map(e => `${e.plugin}.${e.eventId}`)
              .join(', ')}): ${error}`,
          );
          break;
        }
      }
    }
  }
}

/**
 * The queue shared by the auditors of all plugins and the audit plugin.
 *
 * @public
 */
export const auditEventQueueServiceRef = createServiceRef<AuditEventQueue>({
  id: 'cloud-store.audit.queue',
  scope: 'root',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: { logger: coreServices.rootLogger },
      factory: ({ logger }) =>
        AuditEventQueue.create({
          logger: logger.child({ service: 'audit-queue' }),
        }),
    }),
});
