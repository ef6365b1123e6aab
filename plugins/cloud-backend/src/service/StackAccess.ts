import {
  AuditorService,
  BackstageCredentials,
  PermissionsRegistryService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { JsonObject } from '@backstage/types';
import {
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  createConditionAuthorizer,
  createConditionTransformer,
} from '@backstage/plugin-permission-node';
import {
  cloudStackReadPermission,
  Stack,
  StackDetails,
} from '@internal/plugin-cloud-common';
import { Request } from 'express';
import { StackFilter } from '../database/CloudStore';
import {
  decodeNewestFirstCursor,
  DEFAULT_LIMIT,
  encodeNewestFirstCursor,
} from './cursor';
import { cloudStackResourceRef } from './permissions';
import { StackService } from './StackService';

/** Audit meta as JSON: what JSON cannot say (undefined values) is left out. */
function toJsonObject(meta: Record<string, unknown>): JsonObject {
  return JSON.parse(JSON.stringify(meta)) as JsonObject;
}

/**
 * The permission decisions and audit events around stacks, shared by the
 * REST API and the actions that agents call, so that both decide and
 * record alike.
 */
export class StackAccess {
  private readonly transformConditions;
  private readonly isAuthorized;

  static create(options: {
    stacks: StackService;
    permissions: PermissionsService;
    permissionsRegistry: PermissionsRegistryService;
    auditor: AuditorService;
  }) {
    return new StackAccess(options);
  }

  private constructor(
    private readonly options: {
      stacks: StackService;
      permissions: PermissionsService;
      permissionsRegistry: PermissionsRegistryService;
      auditor: AuditorService;
    },
  ) {
    const ruleset = options.permissionsRegistry.getPermissionRuleset(
      cloudStackResourceRef,
    );
    this.transformConditions = createConditionTransformer(ruleset);
    this.isAuthorized = createConditionAuthorizer(ruleset);
  }

  /**
   * A page of the stacks the caller may read, newest first: the filter and
   * the conditions of the decision are both applied in the database, so a
   * page holds only stacks the caller may see and paging skips none.
   */
  async list(
    credentials: BackstageCredentials,
    filter: StackFilter,
    page: { limit?: number; cursor?: string } = {},
  ): Promise<{ items: Stack[]; nextCursor?: string }> {
    const [decision] = await this.options.permissions.authorizeConditional(
      [{ permission: cloudStackReadPermission }],
      { credentials },
    );
    if (decision.result === AuthorizeResult.DENY) {
      throw new NotAllowedError(
        `Not allowed: ${cloudStackReadPermission.name}`,
      );
    }
    const result = await this.options.stacks.list({
      filter,
      condition:
        decision.result === AuthorizeResult.CONDITIONAL
          ? this.transformConditions(decision.conditions)
          : undefined,
      limit: page.limit ?? DEFAULT_LIMIT,
      cursor: page.cursor ? decodeNewestFirstCursor(page.cursor) : undefined,
    });
    return {
      items: result.items.map(
        ({
          idempotencyKey: _k,
          requestHash: _h,
          hostId: _host,
          lease: _lease,
          ...stack
        }): Stack => stack,
      ),
      nextCursor:
        result.nextCursor && encodeNewestFirstCursor(result.nextCursor),
    };
  }

  /** Loads a stack the caller may act on; one they may not read is a 404. */
  async authorize(
    credentials: BackstageCredentials,
    stackId: string,
    permission: ResourcePermission,
  ): Promise<StackDetails> {
    const stack = await this.options.stacks.get(stackId);
    const needed =
      permission.name === cloudStackReadPermission.name
        ? [permission]
        : [cloudStackReadPermission, permission];
    const decisions = await this.options.permissions.authorizeConditional(
      needed.map(p => ({ permission: p })),
      { credentials },
    );
    for (const [i, decision] of decisions.entries()) {
      const allowed =
        decision.result === AuthorizeResult.ALLOW ||
        (decision.result === AuthorizeResult.CONDITIONAL &&
          this.isAuthorized(decision, stack));
      if (!allowed) {
        if (i === 0) {
          throw new NotFoundError(`No stack '${stackId}'`);
        }
        throw new NotAllowedError();
      }
    }
    return stack;
  }

  /**
   * Runs a mutation, audited from the start, so that a refused attempt is
   * recorded as a failure too. Without an HTTP request (an agent's action)
   * the meta names the user. `successMeta` adds what is known only once the
   * mutation succeeded, such as the id of the stack it created.
   */
  async audited<T>(
    event: {
      eventId: string;
      meta: Record<string, unknown>;
      successMeta?: (result: T) => Record<string, unknown>;
      request?: Request;
      severityLevel?: 'low' | 'medium' | 'high' | 'critical';
    },
    fn: () => Promise<T>,
  ): Promise<T> {
    const auditorEvent = await this.options.auditor.createEvent({
      eventId: event.eventId,
      severityLevel: event.severityLevel ?? 'medium',
      request: event.request,
      meta: toJsonObject(event.meta),
    });
    try {
      const result = await fn();
      await auditorEvent.success(
        event.successMeta
          ? { meta: toJsonObject(event.successMeta(result)) }
          : undefined,
      );
      return result;
    } catch (error) {
      await auditorEvent.fail({ error: error as Error });
      throw error;
    }
  }
}
