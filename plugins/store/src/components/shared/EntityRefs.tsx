import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { useApiHolder } from '@backstage/frontend-plugin-api';
import {
  defaultEntityPresentation,
  EntityRefLink,
  entityPresentationApiRef,
} from '@backstage/plugin-catalog-react';
import { useEffect, useMemo, useState } from 'react';

/**
 * The full ref of a person or group in the catalog, or undefined for
 * anything else: the store also records itself as an actor
 * (`plugin:store`), which has no catalog page.
 */
function principalRef(
  ref: string,
  context?: { defaultKind?: string; defaultNamespace?: string },
): string | undefined {
  try {
    const parsed = parseEntityRef(ref, context);
    return ['user', 'group'].includes(parsed.kind.toLocaleLowerCase('en-US'))
      ? stringifyEntityRef(parsed)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A person or group by its display name, linked to its catalog page, the
 * way the catalog shows owners; anything else as it was recorded.
 */
export function PrincipalLink(props: {
  entityRef?: string;
  /** For a ref written without a kind, such as a product's `spec.owner`. */
  defaultKind?: 'user' | 'group';
  defaultNamespace?: string;
  color?: 'inherit';
}) {
  const { entityRef, defaultKind, defaultNamespace, color } = props;
  if (!entityRef) {
    return null;
  }
  const ref = principalRef(entityRef, { defaultKind, defaultNamespace });
  if (!ref) {
    return <>{entityRef}</>;
  }
  return <EntityRefLink entityRef={ref} color={color} />;
}

/**
 * The display names of entities, by ref, for where only text will do (a
 * chart axis, a label). Starts with what the presentation API knows at once
 * and fills in the catalog's names as they arrive.
 */
export function useEntityTitles(refs: string[]): Record<string, string> {
  const presentationApi = useApiHolder().get(entityPresentationApiRef);
  const key = refs.join('\n');
  const unique = useMemo(
    () => Array.from(new Set(key ? key.split('\n') : [])),
    [key],
  );
  const presentations = useMemo(
    () =>
      unique.map(ref => {
        const principal = principalRef(ref);
        if (principal && presentationApi) {
          return presentationApi.forEntity(principal);
        }
        return {
          snapshot: principal
            ? defaultEntityPresentation(principal)
            : { entityRef: ref, primaryTitle: ref },
          promise: undefined,
        };
      }),
    [presentationApi, unique],
  );
  const initial = useMemo(
    () =>
      Object.fromEntries(
        presentations.map((p, i) => [unique[i], p.snapshot.primaryTitle]),
      ),
    [unique, presentations],
  );
  const [titles, setTitles] = useState(initial);
  useEffect(() => {
    setTitles(initial);
    let current = true;
    Promise.all(presentations.map(p => p.promise ?? p.snapshot)).then(
      snapshots => {
        if (current) {
          setTitles(
            Object.fromEntries(
              snapshots.map((s, i) => [unique[i], s.primaryTitle]),
            ),
          );
        }
      },
      () => {
        // The catalog could not be asked; the first titles stay.
      },
    );
    return () => {
      current = false;
    };
  }, [unique, presentations, initial]);
  return titles;
}
