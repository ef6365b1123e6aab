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
 * Runs the store's mutations, wherever they come from: each is audited, and
 * honours its idempotency key: the same key and body answer the first
 * response (and do their work once), another body is a 409. The HTTP API
 * and the actions that agents call share it, so both leave the same trail.
 */
export function createMutationRunner(options: {
  auditor: AuditorService;
  idempotencyKeys: IdempotencyStore;
}) {
  const { auditor, idempotencyKeys } = options;
  return function runMutation(
    mutation: StoreMutation & {
      /** The idempotency key; without it the mutation just runs. */
      idempotencyKey: string | undefined;
      /** What the key's first use is compared with. */
      body: unknown;
      /** The HTTP request, whose caller the audit event records. */
      request?: express.Request;
    },
  ) {
    return idempotencyKeys.run(
      {
        key: mutation.idempotencyKey,
        credentials: mutation.credentials,
        route: mutation.route,
        body: mutation.body,
      },
      async () => {
        const auditorEvent = await auditor.createEvent({
          eventId: mutation.eventId,
          severityLevel: 'medium',
          request: mutation.request,
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
  };
}

/**
 * Responds to the store's mutating requests, under their `Idempotency-Key`
 * header (see {@link createMutationRunner}).
 */
export function createMutations(options: {
  auditor: AuditorService;
  idempotencyKeys: IdempotencyStore;
}) {
  const runMutation = createMutationRunner(options);
  return async function mutate(
    req: express.Request,
    res: express.Response,
    mutation: StoreMutation,
  ) {
    const response = await runMutation({
      ...mutation,
      idempotencyKey: req.header('idempotency-key'),
      body: req.body,
      request: req,
    });
    res.status(response.status).json(response.body);
  };
}
