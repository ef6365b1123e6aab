import {
  DEFAULT_NAMESPACE,
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  PRODUCT_API_VERSION,
  PRODUCT_KIND,
} from '@internal/plugin-store-common';
import {
  Document,
  isMap,
  isNode,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
} from 'yaml';
import { productProblems } from '../productProblems';

/** A descriptor file to lint. @public */
export type LintFile = { path: string; content: string };

/** One thing wrong in a file, where it is. @public */
export type LintMessage = {
  file: string;
  /** 1-based line of the field at fault, or of its nearest parent present. */
  line: number;
  /** The field at fault, e.g. `spec.plans[1].price.amount`; empty for the document. */
  field: string;
  message: string;
};

/** `file:line: field: message`, as editors and CI logs link it. @public */
export function formatLintMessage(m: LintMessage): string {
  return `${m.file}:${m.line}: ${m.field ? `${m.field}: ` : ''}${m.message}`;
}

/** `spec.plans[1].price.amount` as a YAML path: spec, plans, 1, price, amount. */
function fieldPath(field: string): Array<string | number> {
  const path: Array<string | number> = [];
  for (const match of field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    path.push(match[2] !== undefined ? Number(match[2]) : match[1]);
  }
  return path;
}

type ParsedDocument = {
  file: string;
  doc: Document;
  lineCounter: LineCounter;
  entity?: Entity;
};

/**
 * The line of a field: of its key in its map (or of its item in a list), or
 * when it is missing, of its nearest parent that is there.
 */
function lineOf(parsed: ParsedDocument, field: string): number {
  const { doc, lineCounter } = parsed;
  let node: unknown = doc.contents;
  let offset = doc.contents?.range?.[0] ?? 0;
  for (const segment of fieldPath(field)) {
    if (isMap(node)) {
      const pair = node.items.find(
        item => isScalar(item.key) && item.key.value === segment,
      );
      if (!pair) {
        break;
      }
      offset = (isNode(pair.key) && pair.key.range?.[0]) || offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (!isNode(item) || !item.range) {
        break;
      }
      offset = item.range[0];
      node = item;
    } else {
      break;
    }
  }
  return lineCounter.linePos(offset).line;
}

function templateKey(ref: string, namespace: string | undefined) {
  const parsed = parseEntityRef(ref, {
    defaultKind: 'template',
    defaultNamespace: namespace ?? DEFAULT_NAMESPACE,
  });
  return stringifyEntityRef(parsed).toLocaleLowerCase('en-US');
}

/**
 * Lints Product descriptors as the catalog will validate them: every
 * document of every file, against the Product kind's JSON schema and the
 * rules that the store's catalog processor enforces, and checks that each
 * product's template is a Template entity among the given files. Documents
 * of other kinds are only read, for their templates.
 *
 * @public
 */
export function lintProductFiles(files: LintFile[]): LintMessage[] {
  const messages: LintMessage[] = [];
  const documents: ParsedDocument[] = [];
  for (const { path, content } of files) {
    const lineCounter = new LineCounter();
    for (const doc of parseAllDocuments(content, { lineCounter })) {
      if (doc.errors.length > 0) {
        for (const error of doc.errors) {
          messages.push({
            file: path,
            line: error.linePos?.[0].line ?? 1,
            field: '',
            message: `YAML: ${error.message
              .split('\n')[0]
              .replace(/ at line \d+, column \d+:?$/, '')}`,
          });
        }
        continue;
      }
      const value = doc.toJS();
      const parsed: ParsedDocument = { file: path, doc, lineCounter };
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        parsed.entity = value as Entity;
      }
      documents.push(parsed);
    }
  }

  /** The templates of the files, with the names of their parameters. */
  const templates = new Map<string, Set<string>>();
  for (const { entity } of documents) {
    if (entity?.kind === 'Template' && entity.metadata?.name) {
      const steps = [entity.spec?.parameters ?? []].flat() as Array<{
        properties?: object;
      } | null>;
      templates.set(
        stringifyEntityRef({
          kind: 'template',
          namespace: entity.metadata.namespace ?? DEFAULT_NAMESPACE,
          name: entity.metadata.name,
        }).toLocaleLowerCase('en-US'),
        new Set(steps.flatMap(step => Object.keys(step?.properties ?? {}))),
      );
    }
  }

  for (const parsed of documents) {
    const { entity, file } = parsed;
    if (entity?.kind !== PRODUCT_KIND) {
      continue;
    }
    const report = (field: string, message: string) =>
      messages.push({ file, line: lineOf(parsed, field), field, message });
    if (entity.apiVersion !== PRODUCT_API_VERSION) {
      report(
        'apiVersion',
        `"${entity.apiVersion}" is not the Product kind's apiVersion; use ${PRODUCT_API_VERSION}`,
      );
      continue;
    }
    const problems = productProblems(entity);
    for (const problem of problems) {
      report(problem.field, problem.message);
    }
    const template = entity.spec?.template;
    if (
      typeof template === 'string' &&
      !problems.some(p => p.field === 'spec.template')
    ) {
      let key: string | undefined;
      try {
        key = templateKey(template, entity.metadata?.namespace);
      } catch {
        // The schema or the rules said what is wrong with it.
      }
      const parameters = key ? templates.get(key) : undefined;
      if (key && !parameters) {
        report(
          'spec.template',
          `"${template}" is not a Template in the given files`,
        );
      }
      // A limit that governs a parameter the template lacks governs nothing.
      const limitParameters = (entity.spec?.limitParameters ?? {}) as Record<
        string,
        unknown
      >;
      for (const [limit, parameter] of Object.entries(limitParameters)) {
        const field = `spec.limitParameters.${limit}`;
        if (
          parameters &&
          typeof parameter === 'string' &&
          !parameters.has(parameter) &&
          !problems.some(p => p.field === field)
        ) {
          report(
            field,
            `"${parameter}" is not a parameter of the template ${template}`,
          );
        }
      }
    }
  }
  return messages.sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line,
  );
}
