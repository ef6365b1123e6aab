import { DefaultAuditorService } from '@backstage/backend-defaults/auditor';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { auditEventQueueServiceRef } from './AuditEventQueue';
import { isAtLeast, toAuditLogEntry, toSeverityLevel } from './auditLogEntry';

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
type LogLevel = (typeof LOG_LEVELS)[number];

// As Backstage's default auditor reads `backend.auditor`, which does not
// export its reader.
function readSeverityLogLevels(config: Config) {
  const defaults = {
    low: 'debug',
    medium: 'info',
    high: 'info',
    critical: 'info',
  };
  const levels = {} as Record<keyof typeof defaults, LogLevel>;
  for (const [severity, fallback] of Object.entries(defaults)) {
    const key = `backend.auditor.severityLogLevelMappings.${severity}`;
    const value = config.getOptionalString(key) ?? fallback;
    if (!LOG_LEVELS.includes(value as LogLevel)) {
      throw new InputError(
        `The configuration value for '${key}' was given an invalid value: '${value}'. Expected one of the following valid values: '${LOG_LEVELS.join(
          ', ',
        )}'.`,
      );
    }
    levels[severity as keyof typeof defaults] = value as LogLevel;
  }
  return levels;
}

/**
 * The auditor of every plugin: it logs each event as Backstage's default
 * auditor does, and also queues each finished event (succeeded or failed) of
 * at least `audit.minimumSeverity` (medium by default) for the audit log in
 * the database. Emitting never waits for the database.
 *
 * @public
 */
export const auditorServiceFactory = createServiceFactory({
  service: coreServices.auditor,
  deps: {
    config: coreServices.rootConfig,
    logger: coreServices.logger,
    auth: coreServices.auth,
    httpAuth: coreServices.httpAuth,
    plugin: coreServices.pluginMetadata,
    queue: auditEventQueueServiceRef,
  },
  factory({ config, logger, auth, httpAuth, plugin, queue }) {
    const auditLogger = logger.child({ isAuditEvent: true });
    const logLevels = readSeverityLogLevels(config);
    const minimum = toSeverityLevel(
      config.getOptionalString('audit.minimumSeverity') ?? 'medium',
      'audit.minimumSeverity',
    );
    return DefaultAuditorService.create(
      event => {
        const level = logLevels[event.severityLevel];
        if ('error' in event) {
          const { error, ...rest } = event;
          auditLogger
            .child(rest)
            [level](`${event.plugin}.${event.eventId}`, error);
        } else {
          auditLogger[level](`${event.plugin}.${event.eventId}`, event);
        }
        if (isAtLeast(event.severityLevel, minimum)) {
          const entry = toAuditLogEntry(event, new Date());
          if (entry) {
            queue.push(entry);
          }
        }
      },
      { plugin, auth, httpAuth },
    );
  },
});
