import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { builtinModelClasses } from './builtin-schemas.js';

/** The documentation of one built-in type: its own and its fields'. */
export interface TypeDescription {
  /** What the type is, when documented. */
  description?: string;
  /** Field name → what the field means. */
  fields: Record<string, string>;
}

let cached: Record<string, TypeDescription> | undefined;

// A doc comment followed by the class or the property it documents.
const DOC = /\/\*\*\n\s*\* (.*)\n\s*\*\/\n\s*(?:export declare class (\w+)|'([^']+)'\??:)/g;

function unescapeDoc(text: string): string {
  return text.replace(/\\(["'\\])/g, '$1').trim();
}

/**
 * The descriptions of the built-in types of {@link builtinSchemas}, keyed by the same schema names, read
 * from the doc comments of the @kubernetes/client-node models on first use (a few hundred small files:
 * call it where documents for people are built, such as OpenAPI for `kubectl explain`, not on hot paths).
 * Fields whose type is another model carry no description there, so they have none here.
 */
export function builtinDescriptions(): Record<string, TypeDescription> {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve('@kubernetes/client-node/dist/gen/models/all.js'));
  const out: Record<string, TypeDescription> = {};
  for (const [schemaName, className] of builtinModelClasses()) {
    let text: string;
    try {
      text = readFileSync(join(dir, `${className}.d.ts`), 'utf8');
    } catch {
      continue;
    }
    const entry: TypeDescription = { fields: {} };
    for (const m of text.matchAll(DOC)) {
      const doc = unescapeDoc(m[1]!);
      if (!doc) continue;
      if (m[2] === className) entry.description = doc;
      else if (m[3]) entry.fields[m[3]] = doc;
    }
    if (entry.description || Object.keys(entry.fields).length > 0) out[schemaName] = entry;
  }
  cached = out;
  return out;
}
