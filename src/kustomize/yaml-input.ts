import { parseAllDocuments } from 'yaml';
import { KustomizeError } from './errors.js';

const MAX_ALIASES = 100;

/**
 * Parses a YAML stream into plain values (one per non-empty document) with YAML 1.2 core tags, merge
 * keys and a cap on alias expansion, so an exponential alias bomb fails fast instead of eating memory.
 */
export function parseYamlStream(text: string, file: string): unknown[] {
  let docs: ReturnType<typeof parseAllDocuments>;
  try {
    docs = parseAllDocuments(text, { merge: true, uniqueKeys: false, prettyErrors: false });
  } catch (cause) {
    throw new KustomizeError('KustomizeInvalidYaml', `File ${file} is not valid YAML: ${message(cause)}`, {
      cause,
      file,
    });
  }
  const out: unknown[] = [];
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    const err = doc.errors[0];
    if (err) {
      throw new KustomizeError(
        'KustomizeInvalidYaml',
        `File ${file} is not valid YAML: ${oneLine(err.message)}`,
        {
          cause: err,
          file,
        },
      );
    }
    if (doc.contents === null) continue;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIASES });
    } catch (cause) {
      throw new KustomizeError('KustomizeInvalidYaml', `File ${file} is not valid YAML: ${message(cause)}`, {
        cause,
        file,
      });
    }
    if (value === null || value === undefined) continue;
    out.push(value);
  }
  return out;
}

function oneLine(s: string): string {
  return s.split('\n')[0]!.trim();
}

function message(e: unknown): string {
  return oneLine(e instanceof Error ? e.message : String(e));
}
