import { describe, expect, it } from 'vitest';
import { StatusError } from '../http/index.js';
import { decodeProtobuf } from './protobuf.js';

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = BigInt.asUintN(64, BigInt(n));
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return Buffer.from(out);
}

const bytesField = (num: number, value: Buffer | string) => {
  const data = typeof value === 'string' ? Buffer.from(value) : value;
  return Buffer.concat([varint((num << 3) | 2), varint(data.length), data]);
};
const intField = (num: number, value: number) => Buffer.concat([varint(num << 3), varint(value)]);
const entry = (num: number, key: string, value: Buffer | string) =>
  bytesField(num, Buffer.concat([bytesField(1, key), bytesField(2, value)]));

function envelope(apiVersion: string, kind: string, raw: Buffer): Buffer {
  const typeMeta = Buffer.concat([bytesField(1, apiVersion), bytesField(2, kind)]);
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), bytesField(1, typeMeta), bytesField(2, raw)]);
}

describe('decodeProtobuf', () => {
  it('decodes a ConfigMap with metadata, maps and times into its JSON form', () => {
    const time = Buffer.concat([intField(1, 1_700_000_000)]);
    const metadata = Buffer.concat([
      bytesField(1, 'settings'),
      bytesField(3, 'shop'),
      intField(7, 0),
      bytesField(8, Buffer.alloc(0)),
      entry(11, 'app', 'web'),
      bytesField(14, 'example.com/hold'),
      bytesField(9, time),
    ]);
    const raw = Buffer.concat([
      bytesField(1, metadata),
      entry(2, 'color', 'blue'),
      entry(3, 'bin', Buffer.from([1, 2])),
    ]);
    expect(decodeProtobuf(envelope('v1', 'ConfigMap', raw))).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'settings',
        namespace: 'shop',
        labels: { app: 'web' },
        finalizers: ['example.com/hold'],
        deletionTimestamp: '2023-11-14T22:13:20Z',
      },
      data: { color: 'blue' },
      binaryData: { bin: 'AQI=' },
    });
  });

  it('keeps explicit zero replicas and decodes int-or-string values', () => {
    const intOrString = Buffer.concat([intField(1, 1), bytesField(3, '25%')]);
    const rolling = bytesField(1, intOrString);
    const strategy = Buffer.concat([bytesField(1, 'RollingUpdate'), bytesField(2, rolling)]);
    const spec = Buffer.concat([intField(1, 0), bytesField(4, strategy)]);
    const raw = Buffer.concat([bytesField(1, bytesField(1, 'web')), bytesField(2, spec)]);
    expect(decodeProtobuf(envelope('apps/v1', 'Deployment', raw))).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { replicas: 0, strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%' } } },
    });
  });

  it('inlines the fields of embedded Go structs (volume sources, probe handlers, local object references)', () => {
    const port = Buffer.concat([intField(1, 0), intField(2, 8080)]);
    const httpGet = Buffer.concat([bytesField(1, '/healthz'), bytesField(2, port)]);
    const probe = Buffer.concat([bytesField(1, bytesField(2, httpGet)), intField(2, 5)]);
    const container = Buffer.concat([bytesField(1, 'app'), bytesField(2, 'nginx'), bytesField(10, probe)]);
    const configMap = Buffer.concat([bytesField(1, bytesField(1, 'settings')), intField(3, 420)]);
    const volume = Buffer.concat([bytesField(1, 'config'), bytesField(2, bytesField(19, configMap))]);
    const spec = Buffer.concat([bytesField(1, volume), bytesField(2, container)]);
    const raw = Buffer.concat([bytesField(1, bytesField(1, 'web')), bytesField(2, spec)]);
    expect(decodeProtobuf(envelope('v1', 'Pod', raw))).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web' },
      spec: {
        volumes: [{ name: 'config', configMap: { name: 'settings', defaultMode: 420 } }],
        containers: [
          {
            name: 'app',
            image: 'nginx',
            livenessProbe: { httpGet: { path: '/healthz', port: 8080 }, initialDelaySeconds: 5 },
          },
        ],
      },
    });
  });

  it('answers 415 for kinds it has no message table for and 400 for malformed bodies', () => {
    expect(() => decodeProtobuf(envelope('example.com/v1', 'Widget', Buffer.alloc(0)))).toThrow(
      expect.objectContaining({ status: 415 }),
    );
    expect(() => decodeProtobuf(Buffer.from('{"kind":"ConfigMap"}'))).toThrow(StatusError);
    const truncated = envelope('v1', 'ConfigMap', bytesField(1, 'x')).subarray(0, 20);
    expect(() => decodeProtobuf(truncated)).toThrow(expect.objectContaining({ status: 400 }));
  });
});
