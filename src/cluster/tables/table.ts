import type { PrinterColumn, ResourceType } from '../registry/index.js';
import { BUILTIN_PRINTERS, type ColumnDefinition, NAME_COLUMN, type Printer } from './builtin-printers.js';
import { formatGoValue, humanDuration } from './format.js';
import { compileJSONPath } from './jsonpath.js';

/** Options of {@link toTable}. */
export interface TableOptions {
  /** What each row's `object` holds: nothing, PartialObjectMetadata (default) or the whole object. */
  includeObject?: 'None' | 'Metadata' | 'Object';
  /** The list's resourceVersion, copied to the table's metadata. */
  resourceVersion?: string;
  /** The list's continue token, copied to the table's metadata. */
  continue?: string;
  /** The list's remainingItemCount, copied to the table's metadata. */
  remainingItemCount?: number;
  /** Leave out `columnDefinitions` (watch events after the first one). */
  noHeaders?: boolean;
  /** `meta.k8s.io/v1` (default) or `meta.k8s.io/v1beta1`, whichever the client asked for. */
  apiVersion?: 'meta.k8s.io/v1' | 'meta.k8s.io/v1beta1';
  /** The current time in ms since the epoch, for ages. Defaults to `Date.now()`. */
  now?: number;
}

const CREATED_AT: ColumnDefinition = {
  name: 'Created At',
  type: 'date',
  format: '',
  description:
    'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
  priority: 0,
};

/** Name and Created At: the table of kinds the server has no printer for. */
const DEFAULT_PRINTER: Printer = {
  columns: [NAME_COLUMN, CREATED_AT],
  cells: (o) => [o?.metadata?.name, o?.metadata?.creationTimestamp ?? null],
};

const AGE_COLUMN: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

/** The cell of a printer column for a JSON value, converted the way the CRD table convertor does. */
function cellFor(type: string, value: unknown, now: number): unknown {
  switch (type) {
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date': {
      if (typeof value !== 'string') return null;
      const t = Date.parse(value);
      return Number.isNaN(t) ? '<invalid>' : humanDuration(now - t);
    }
    default:
      return typeof value === 'string' ? value : formatGoValue(value);
  }
}

const crdPrinters = new WeakMap<PrinterColumn[], Printer>();

function crdPrinter(columns: PrinterColumn[]): Printer {
  const hit = crdPrinters.get(columns);
  if (hit) return hit;
  const effective = columns.length > 0 ? columns : [AGE_COLUMN];
  const compiled = effective.map((c) => {
    try {
      return compileJSONPath(c.jsonPath);
    } catch {
      return undefined;
    }
  });
  const printer: Printer = {
    columns: [
      NAME_COLUMN,
      ...effective.map((c) => ({
        name: c.name,
        type: c.type,
        format: c.format ?? '',
        description: c.description ?? (c === AGE_COLUMN ? CREATED_AT.description : ''),
        priority: c.priority ?? 0,
      })),
    ],
    cells: (o, now) => [
      o?.metadata?.name,
      ...effective.map((c, i) => {
        const found = compiled[i]?.find(o) ?? [];
        return found.length === 0 || found[0] === undefined ? null : cellFor(c.type, found[0], now);
      }),
    ],
  };
  crdPrinters.set(columns, printer);
  return printer;
}

function printerFor(rt: ResourceType): Printer {
  if (rt.crd) return crdPrinter(rt.printerColumns ?? []);
  return BUILTIN_PRINTERS.get(`${rt.group}/${rt.kind}`) ?? DEFAULT_PRINTER;
}

/** The column definitions of a resource's table. */
export function tableColumns(rt: ResourceType): ColumnDefinition[] {
  return printerFor(rt).columns;
}

/**
 * Renders objects of one resource as a `meta.k8s.io/v1` Table with the columns the real API server prints:
 * the built-in printers for built-in kinds, `additionalPrinterColumns` (or Name + Age) for custom resources, and
 * Name + Created At for anything else. Each row's `object` follows `includeObject`.
 */
export function toTable(rt: ResourceType, objects: readonly object[], opts: TableOptions = {}): object {
  const printer = printerFor(rt);
  const now = opts.now ?? Date.now();
  const include = opts.includeObject ?? 'Metadata';
  const apiVersion = opts.apiVersion ?? 'meta.k8s.io/v1';
  const rows = objects.map((obj) => {
    const row: Record<string, unknown> = { cells: printer.cells(obj, now) };
    if (include === 'Object') row.object = obj;
    else if (include === 'Metadata') {
      row.object = {
        kind: 'PartialObjectMetadata',
        apiVersion,
        metadata: (obj as { metadata?: object }).metadata ?? {},
      };
    }
    return row;
  });
  const metadata: Record<string, unknown> = {};
  if (opts.resourceVersion !== undefined) metadata.resourceVersion = opts.resourceVersion;
  if (opts.continue) metadata.continue = opts.continue;
  if (opts.remainingItemCount !== undefined) metadata.remainingItemCount = opts.remainingItemCount;
  return {
    kind: 'Table',
    apiVersion,
    metadata,
    ...(opts.noHeaders ? {} : { columnDefinitions: printer.columns }),
    rows,
  };
}

/**
 * Which Table version an Accept header asks for (`application/json;as=Table;v=v1;g=meta.k8s.io`), or undefined
 * when it does not ask for a table. The first acceptable entry wins, as in content negotiation.
 */
export function wantsTable(accept: string | undefined): 'meta.k8s.io/v1' | 'meta.k8s.io/v1beta1' | undefined {
  if (!accept) return undefined;
  for (const part of accept.split(',')) {
    const [media, ...rest] = part.split(';').map((p) => p.trim());
    const params = new Map(rest.map((p) => p.split('=').map((s) => s.trim()) as [string, string]));
    if (params.get('as') === 'Table' && params.get('g') === 'meta.k8s.io') {
      if (media !== 'application/json' && media !== '*/*' && media !== 'application/*') continue;
      if (params.get('v') === 'v1') return 'meta.k8s.io/v1';
      if (params.get('v') === 'v1beta1') return 'meta.k8s.io/v1beta1';
      continue;
    }
    // A plain media type listed before any Table entry means the client prefers the plain object.
    if (media === 'application/json' && !params.has('as')) return undefined;
  }
  return undefined;
}
