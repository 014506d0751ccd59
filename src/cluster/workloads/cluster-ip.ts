import type { AdmissionResult } from '../handlers/index.js';
import type { ResourceType } from '../registry/index.js';
import type { Store } from '../storage/index.js';

/** Hands out Service cluster IPs at create, as the API server's allocator does. */
export interface ClusterIpAllocator {
  /** Fills `spec.clusterIP`, `clusterIPs`, `ipFamilies` and `ipFamilyPolicy` of a Service being created. */
  allocate(rt: ResourceType, result: AdmissionResult, operation: 'CREATE' | 'UPDATE'): AdmissionResult;
}

const SERVICE_PREFIX = '/registry/core/services/';
/** The service CIDR 10.96.0.0/12; .1 is the `kubernetes` Service's address in real clusters. */
const BASE = (10 << 24) | (96 << 16);
const SIZE = 1 << 20;
const FIRST = 10;

function toIp(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function fromIp(ip: string): number | undefined {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

/**
 * Creates the cluster IP allocator of the embedded cluster: Services that are not headless or `ExternalName`
 * get the next free address of 10.96.0.0/12 at create, so the create response already carries it. Addresses
 * in use are read from the store once, lazily, and then tracked; a Service that asks for a specific IP keeps it.
 */
export function createClusterIpAllocator(store: Store): ClusterIpAllocator {
  let used: Set<number> | undefined;
  let next = FIRST;
  const load = (): Set<number> => {
    if (used) return used;
    used = new Set();
    for (const item of store.list(SERVICE_PREFIX).items) {
      for (const ip of [item.object.spec?.clusterIP, ...(item.object.spec?.clusterIPs ?? [])]) {
        const n = typeof ip === 'string' ? fromIp(ip) : undefined;
        if (n !== undefined) used.add(n);
      }
    }
    return used;
  };
  return {
    allocate(rt, result, operation) {
      if (operation !== 'CREATE' || rt.group !== '' || rt.kind !== 'Service' || result.causes.length > 0) {
        return result;
      }
      const spec = result.object.spec;
      if (!spec || typeof spec !== 'object' || spec.type === 'ExternalName') return result;
      const taken = load();
      if (spec.clusterIP === 'None') {
        spec.clusterIPs ??= ['None'];
      } else if (typeof spec.clusterIP === 'string' && spec.clusterIP !== '') {
        const n = fromIp(spec.clusterIP);
        if (n !== undefined) taken.add(n);
        spec.clusterIPs ??= [spec.clusterIP];
      } else {
        let n = BASE + next;
        for (let tries = 0; tries < SIZE && taken.has(n); tries++) {
          next = next + 1 >= SIZE - 1 ? FIRST : next + 1;
          n = BASE + next;
        }
        taken.add(n);
        next = next + 1 >= SIZE - 1 ? FIRST : next + 1;
        spec.clusterIP = toIp(n);
        spec.clusterIPs = [spec.clusterIP];
      }
      spec.ipFamilies ??= ['IPv4'];
      spec.ipFamilyPolicy ??= 'SingleStack';
      return result;
    },
  };
}
