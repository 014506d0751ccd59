import type { AdmissionResult } from '../handlers/index.js';
import type { ResourceType } from '../registry/index.js';
import type { KubeObject, Store } from '../storage/index.js';

/** Hands out Service cluster IPs and node ports, as the API server's allocators do. */
export interface ClusterIpAllocator {
  /**
   * Fills `spec.clusterIP`, `clusterIPs`, `ipFamilies` and `ipFamilyPolicy` of a Service being created, and the
   * missing `nodePort`s of NodePort and LoadBalancer Services on create and update.
   */
  allocate(rt: ResourceType, result: AdmissionResult, operation: 'CREATE' | 'UPDATE'): AdmissionResult;
}

const SERVICE_PREFIX = '/registry/core/services/';
/** The service CIDR 10.96.0.0/12; .1 is the `kubernetes` Service's address in real clusters. */
const BASE = (10 << 24) | (96 << 16);
const SIZE = 1 << 20;
const FIRST = 10;
const NODE_PORT_MIN = 30000;
const NODE_PORT_MAX = 32767;

function toIp(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function fromIp(ip: string): number | undefined {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

/**
 * Creates the Service allocator of the embedded cluster: Services that are not headless or `ExternalName`
 * get the next free address of 10.96.0.0/12 at create, so the create response already carries it, and ports
 * of NodePort and LoadBalancer Services get the next free node port of 30000-32767. What is in use is read
 * from the store once, lazily, and then followed through its watch, so deletions release addresses and dry
 * runs take nothing. A Service that asks for a specific IP or port keeps it.
 */
export function createClusterIpAllocator(store: Store): ClusterIpAllocator {
  let used: Set<number> | undefined;
  const ports = new Set<number>();
  let next = FIRST;
  let nextPort = NODE_PORT_MIN;
  const addressesOf = (object: KubeObject | undefined): { ips: number[]; nodePorts: number[] } => {
    const ips: number[] = [];
    for (const ip of [object?.spec?.clusterIP, ...(object?.spec?.clusterIPs ?? [])]) {
      const n = typeof ip === 'string' ? fromIp(ip) : undefined;
      if (n !== undefined) ips.push(n);
    }
    const nodePorts: number[] = [];
    for (const p of object?.spec?.ports ?? [])
      if (typeof p?.nodePort === 'number') nodePorts.push(p.nodePort);
    return { ips, nodePorts };
  };
  // What is in use follows the stored Services (so dry runs allocate nothing and deletions release).
  const load = (): Set<number> => {
    if (used) return used;
    const taken = new Set<number>();
    used = taken;
    const listed = store.list(SERVICE_PREFIX);
    for (const item of listed.items) {
      const { ips, nodePorts } = addressesOf(item.object);
      for (const n of ips) taken.add(n);
      for (const n of nodePorts) ports.add(n);
    }
    store.watch(SERVICE_PREFIX, listed.revision, (event) => {
      const before = addressesOf(event.prevObject);
      const after = event.type === 'DELETED' ? { ips: [], nodePorts: [] } : addressesOf(event.object);
      for (const n of before.ips) if (!after.ips.includes(n)) taken.delete(n);
      for (const n of before.nodePorts) if (!after.nodePorts.includes(n)) ports.delete(n);
      for (const n of after.ips) taken.add(n);
      for (const n of after.nodePorts) ports.add(n);
    });
    return taken;
  };
  const allocatePorts = (spec: Record<string, unknown>) => {
    if ((spec.type !== 'NodePort' && spec.type !== 'LoadBalancer') || !Array.isArray(spec.ports)) return;
    if (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === false) return;
    load();
    for (const p of spec.ports as Record<string, unknown>[]) {
      if (!p || typeof p !== 'object') continue;
      if (typeof p.nodePort === 'number' && p.nodePort !== 0) continue;
      for (let tries = 0; tries <= NODE_PORT_MAX - NODE_PORT_MIN && ports.has(nextPort); tries++) {
        nextPort = nextPort >= NODE_PORT_MAX ? NODE_PORT_MIN : nextPort + 1;
      }
      p.nodePort = nextPort;
      nextPort = nextPort >= NODE_PORT_MAX ? NODE_PORT_MIN : nextPort + 1;
    }
  };
  return {
    allocate(rt, result, operation) {
      if (rt.group !== '' || rt.kind !== 'Service' || result.causes.length > 0) return result;
      const spec = result.object.spec;
      if (!spec || typeof spec !== 'object' || spec.type === 'ExternalName') return result;
      allocatePorts(spec);
      if (operation !== 'CREATE') return result;
      const taken = load();
      if (spec.clusterIP === 'None') {
        spec.clusterIPs ??= ['None'];
      } else if (typeof spec.clusterIP === 'string' && spec.clusterIP !== '') {
        spec.clusterIPs ??= [spec.clusterIP];
      } else {
        let n = BASE + next;
        for (let tries = 0; tries < SIZE && taken.has(n); tries++) {
          next = next + 1 >= SIZE - 1 ? FIRST : next + 1;
          n = BASE + next;
        }
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
