import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { InputError } from '@backstage/errors';
import type { z } from 'zod/v3';

/**
 * What the audit events of an agent's mutations say besides their own meta:
 * the user the agent acts for (there is no HTTP request whose caller the
 * auditor could record) and that an agent, not the user, sent it.
 *
 * @public
 */
export function agentMeta(credentials: BackstageCredentials): {
  client: 'agent';
  userEntityRef?: string;
  via?: string;
} {
  const principal = credentials.principal as {
    userEntityRef?: string;
    actor?: { subject: string };
  };
  return {
    client: 'agent',
    ...(principal.userEntityRef && { userEntityRef: principal.userEntityRef }),
    ...(principal.actor && { via: principal.actor.subject }),
  };
}

/**
 * A plugin's actions registry whose actions refuse bad input as the REST
 * APIs do: with a 400 whose message names each field, in the words of the
 * REST APIs' schema validation (`input/count must be >= 0`).
 *
 * The registry validates an action's input before the action runs, and
 * answers `Invalid input to action "…"` with the fields only in the error's
 * cause, which the MCP actions backend does not pass on to agents. Each
 * input schema is therefore wrapped so that a failed validation throws an
 * `InputError` that names the fields; the JSON schema that agents see is the
 * action's own.
 *
 * @public
 */
export function createFieldNamingActionsRegistry(
  registry: ActionsRegistryService,
): ActionsRegistryService {
  return {
    register(options) {
      const { input } = options.schema;
      registry.register({
        ...options,
        schema: { ...options.schema, input: zod => namingFields(input(zod)) },
      });
    },
  };
}

function namingFields<T extends z.ZodTypeAny>(schema: T): T {
  // `catch` only runs when the validation fails; its schema is the inner
  // one (zod-to-json-schema describes the inner type). Thrown, the error
  // leaves the registry's `safeParse` as it is, and the registry's error
  // handler answers it. The cast keeps the object type that the registry's
  // signature asks for.
  return schema.catch(({ error }: { error: z.ZodError }) => {
    throw new InputError(error.issues.map(describeIssue).join(', '));
  }) as unknown as T;
}

/** One validation issue, worded as the REST APIs' validator words it. */
export function describeIssue(issue: z.ZodIssue): string {
  const at = ['input', ...issue.path].join('/');
  switch (issue.code) {
    case 'invalid_type':
      if (issue.received === 'undefined' && issue.path.length > 0) {
        const parent = ['input', ...issue.path.slice(0, -1)].join('/');
        return `${parent} must have required property '${issue.path.at(-1)}'`;
      }
      return `${at} must be ${issue.expected}`;
    case 'too_small':
    case 'too_big': {
      const limit = Number(
        issue.code === 'too_small' ? issue.minimum : issue.maximum,
      );
      if (issue.type === 'string' || issue.type === 'array') {
        const unit = issue.type === 'string' ? 'characters' : 'items';
        const than = issue.code === 'too_small' ? 'fewer' : 'more';
        return `${at} must NOT have ${than} than ${limit} ${unit}`;
      }
      const op = issue.code === 'too_small' ? '>' : '<';
      return `${at} must be ${op}${issue.inclusive ? '=' : ''} ${limit}`;
    }
    case 'invalid_enum_value':
      return `${at} must be equal to one of the allowed values: ${issue.options.join(
        ', ',
      )}`;
    case 'unrecognized_keys':
      return `${at} must NOT have additional properties: ${issue.keys.join(
        ', ',
      )}`;
    default:
      return `${at} ${issue.message}`;
  }
}
