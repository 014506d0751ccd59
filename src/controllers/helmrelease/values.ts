import { parse as parseYaml } from 'yaml';
import type { HelmRelease } from '../../api/index.js';
import { mergeValueMaps, setValueAtPath } from '../../helm/index.js';
import type { KubeClient, KubeObject } from '../../kube/index.js';

/** A values reference that cannot be read; the message names the ConfigMap or Secret. */
export class ValuesError extends Error {}

function decode(kind: string, obj: KubeObject, key: string): string | undefined {
  if (kind === 'Secret') {
    const v = (obj.data as Record<string, string> | undefined)?.[key];
    if (v !== undefined) return Buffer.from(v, 'base64').toString('utf8');
    return (obj.stringData as Record<string, string> | undefined)?.[key];
  }
  const v = (obj.data as Record<string, string> | undefined)?.[key];
  if (v !== undefined) return v;
  const b = (obj.binaryData as Record<string, string> | undefined)?.[key];
  return b === undefined ? undefined : Buffer.from(b, 'base64').toString('utf8');
}

/**
 * Composes a HelmRelease's values as Flux does: each `valuesFrom` entry in order (a YAML document merged in,
 * or with `targetPath` one value set at that path), then `spec.values` merged over the result. Missing
 * sources or keys fail unless the entry is `optional`.
 */
export async function composeValues(
  kube: KubeClient,
  hr: HelmRelease,
  signal?: AbortSignal,
): Promise<Record<string, unknown>> {
  const ns = hr.metadata.namespace ?? 'default';
  let values: Record<string, unknown> = {};
  for (const ref of hr.spec.valuesFrom ?? []) {
    const key = ref.valuesKey ?? 'values.yaml';
    const obj = await kube.tryGet(
      { apiVersion: 'v1', kind: ref.kind, namespace: ns, name: ref.name },
      signal ? { signal } : {},
    );
    if (!obj) {
      if (ref.optional) continue;
      throw new ValuesError(`could not find ${ref.kind} '${ns}/${ref.name}'`);
    }
    const text = decode(ref.kind, obj, key);
    if (text === undefined) {
      if (ref.optional) continue;
      throw new ValuesError(`missing key '${key}' in ${ref.kind} '${ns}/${ref.name}'`);
    }
    if (ref.targetPath) {
      values = setValueAtPath(values, ref.targetPath, text, ref.literal ?? false);
      continue;
    }
    let parsed: unknown;
    try {
      parsed = parseYaml(text);
    } catch (err) {
      throw new ValuesError(
        `unable to read values from key '${key}' in ${ref.kind} '${ns}/${ref.name}': ${(err as Error).message}`,
      );
    }
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      values = mergeValueMaps(values, parsed as Record<string, unknown>);
    }
  }
  const inline = hr.spec.values as Record<string, unknown> | undefined;
  if (inline && typeof inline === 'object') values = mergeValueMaps(values, inline);
  return values;
}
