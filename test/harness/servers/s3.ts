import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

/** A running S3-compatible server (s3rver) on 127.0.0.1. */
export interface S3Server {
  /** `127.0.0.1:<port>`, for `spec.endpoint` with `insecure: true`. */
  endpoint: string;
  /** s3rver's built-in credentials. */
  accessKeyId: string;
  secretAccessKey: string;
  close(): Promise<void>;
}

/** Starts s3rver with filesystem storage in a temporary directory on a random loopback port. */
export async function startS3Server(): Promise<S3Server> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir });
  const addr = (await server.run()) as AddressInfo;
  return {
    endpoint: `127.0.0.1:${addr.port}`,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    close: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
