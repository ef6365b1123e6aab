import {
  AuditorService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import { IdempotencyStore } from '@internal/backend-idempotency-node';
import { JsonObject } from '@backstage/types';
import express from 'express';

/** A mutating request of the store API. */
export interface StoreMutation {
  credentials: BackstageCredentials;
  /** The route its `Idempotency-Key` is claimed for, e.g. `POST /orders`. */
  route: string;
  /** The id of its audit event, e.g. `order-create`. */
  eventId: string;
  /** What the audit event says of the request. */
  meta: JsonObject;
  /** The HTTP status of its success. */
  status: number;
  run: () => Promise<unknown>;
}

/**
 * Responds to the store's mutating requests. Each is audited, and honours
 * `Idempotency-Key`: the same key and body return the first response (and
 * do their work once), another body is a 409.
 */
export function createMutations(options: {
  auditor: AuditorService;
  idempotencyKeys: IdempotencyStore;
}) {
  const { auditor, idempotencyKeys } = options;
  return async function mutate(
    req: express.Request,
    res: express.Response,
    mutation: StoreMutation,
  ) {
    const response = await idempotencyKeys.run(
      {
        key: req.header('idempotency-key'),
        credentials: mutation.credentials,
        route: mutation.route,
        body: req.body,
      },
      async () => {
        const auditorEvent = await auditor.createEvent({
          eventId: mutation.eventId,
          severityLevel: 'medium',
          request: req,
          meta: mutation.meta,
        });
        try {
          const body = await mutation.run();
          await auditorEvent.success();
          return { status: mutation.status, body };
        } catch (error) {
          await auditorEvent.fail({ error: error as Error });
          throw error;
        }
      },
    );
    res.status(response.status).json(response.body);
  };
}
