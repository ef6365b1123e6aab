import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  DEFAULT_NAMESPACE,
  Entity,
  EntityLink,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  ANNOTATION_CLOUD_STACK_ID,
  Stack,
} from '@internal/plugin-cloud-common';

// Defined in cloud-common, where the frontend reads it too.
export { ANNOTATION_CLOUD_STACK_ID };
/** The annotation that holds the provider of the mirrored stack. @public */
export const ANNOTATION_CLOUD_PROVIDER = 'cloudstore.io/provider';
/** The annotation that holds the region of the mirrored stack. @public */
export const ANNOTATION_CLOUD_REGION = 'cloudstore.io/region';

/** The `spec.type` of Resource entities that mirror cloud stacks. @public */
export const CLOUD_STACK_RESOURCE_TYPE = 'cloud-stack';

const MAX_NAME_LENGTH = 63;

/**
 * Turns any string into a valid entity name: letters, digits and `-_.`
 * separators, starting and ending with a letter or digit, at most 63
 * characters.
 */
export function sanitizeEntityName(raw: string): string {
  const name = raw
    .replace(/[^A-Za-z0-9\-_.]+/g, '-')
    .replace(/[-_.]{2,}/g, '-')
    .slice(0, MAX_NAME_LENGTH)
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/[^A-Za-z0-9]+$/, '');
  return name || 'stack';
}

/**
 * The owner of a stack as a full entity ref: the stack's owner (a group
 * unless it says otherwise), else the configured default, else its creator.
 */
export function stackOwnerRef(stack: Stack, defaultOwner?: string): string {
  const candidates: Array<[string | undefined, string]> = [
    [stack.owner, 'group'],
    [defaultOwner, 'group'],
    [stack.createdBy, 'user'],
  ];
  for (const [ref, defaultKind] of candidates) {
    if (!ref?.trim()) {
      continue;
    }
    try {
      return stringifyEntityRef(
        parseEntityRef(ref.trim(), {
          defaultKind,
          defaultNamespace: DEFAULT_NAMESPACE,
        }),
      );
    } catch {
      // Not a usable ref; try the next candidate.
    }
  }
  return 'group:default/unknown';
}

/** Options for {@link stackToEntity}. @public */
export interface StackToEntityOptions {
  /** The frontend's base URL, e.g. `http://localhost:3000`. */
  appBaseUrl: string;
  /** The cloud backend's base URL, used as the entity's location. */
  cloudBaseUrl: string;
  /** Owner of stacks that name none. */
  defaultOwner?: string;
  /** Entity name to use instead of the one derived from the stack name. */
  name?: string;
}

/** The Resource entity that mirrors a stack. @public */
export function stackToEntity(
  stack: Stack,
  options: StackToEntityOptions,
): Entity {
  const location = `url:${options.cloudBaseUrl}/stacks/${encodeURIComponent(
    stack.id,
  )}`;
  const links: EntityLink[] = [
    {
      url: `${options.appBaseUrl.replace(
        /\/+$/,
        '',
      )}/cloud/stacks/${encodeURIComponent(stack.id)}`,
      title: 'Stack page',
      icon: 'cloud',
    },
  ];
  if (stack.url) {
    links.push({ url: stack.url, title: 'Stack URL', icon: 'web' });
  }
  const annotations: Record<string, string> = {
    [ANNOTATION_LOCATION]: location,
    [ANNOTATION_ORIGIN_LOCATION]: location,
    [ANNOTATION_CLOUD_STACK_ID]: stack.id,
    [ANNOTATION_CLOUD_PROVIDER]: stack.provider,
    [ANNOTATION_CLOUD_REGION]: stack.region,
    'cloudstore.io/status': stack.status,
    'cloudstore.io/created-by': stack.createdBy,
    'cloudstore.io/created-at': stack.createdAt,
  };
  if (stack.template) {
    annotations['cloudstore.io/template'] = stack.template;
  }
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: options.name ?? sanitizeEntityName(stack.name),
      namespace: DEFAULT_NAMESPACE,
      title: stack.name,
      description: `Cloud stack on ${stack.provider} in ${stack.region}`,
      annotations,
      links,
    },
    spec: {
      type: CLOUD_STACK_RESOURCE_TYPE,
      owner: stackOwnerRef(stack, options.defaultOwner),
    },
  };
}
