import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import forge from 'node-forge';

/** PEM material the HTTPS listener needs, plus the CA clients trust. */
export interface TlsMaterial {
  /** The certificate authority that signed the serving certificate (goes into the kubeconfig). */
  caCert: string;
  /** The serving certificate. */
  cert: string;
  /** The serving certificate's private key. */
  key: string;
}

const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;

function keyPair(): { publicKey: forge.pki.PublicKey; privateKey: forge.pki.rsa.PrivateKey; pem: string } {
  // Node's native generator is much faster than forge's pure-JS one; forge only builds and signs the certificates.
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  return {
    publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
    privateKey: forge.pki.privateKeyFromPem(pem),
    pem,
  };
}

function serial(): string {
  // A positive serial number: clear the top bit.
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}

/**
 * Generates a CA and a serving certificate for `hosts` (IP addresses and DNS names), valid for ten years.
 */
export function generateTlsMaterial(hosts: readonly string[]): TlsMaterial {
  const now = new Date(Date.now() - 60_000);
  const until = new Date(Date.now() + TEN_YEARS_MS);

  const caKeys = keyPair();
  const ca = forge.pki.createCertificate();
  ca.publicKey = caKeys.publicKey;
  ca.serialNumber = serial();
  ca.validity.notBefore = now;
  ca.validity.notAfter = until;
  const caName = [{ name: 'commonName', value: 'sluice-cluster-ca' }];
  ca.setSubject(caName);
  ca.setIssuer(caName);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const serverKeys = keyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = serverKeys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = now;
  cert.validity.notAfter = until;
  cert.setSubject([{ name: 'commonName', value: 'sluice-cluster' }]);
  cert.setIssuer(caName);
  const altNames = [...new Set(hosts)].map((host) =>
    isIP(host) ? { type: 7, ip: host } : { type: 2, value: host },
  );
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
  ]);
  cert.sign(caKeys.privateKey, forge.md.sha256.create());

  return {
    caCert: forge.pki.certificateToPem(ca),
    cert: forge.pki.certificateToPem(cert),
    key: serverKeys.pem,
  };
}

/**
 * Loads the TLS material kept in `dir` (`ca.crt`, `server.crt`, `server.key`), generating and saving it on
 * first use. A serving certificate that does not cover `hosts` is regenerated, keeping nothing else.
 */
export async function loadOrCreateTlsMaterial(dir: string, hosts: readonly string[]): Promise<TlsMaterial> {
  const paths = { caCert: join(dir, 'ca.crt'), cert: join(dir, 'server.crt'), key: join(dir, 'server.key') };
  if (existsSync(paths.caCert) && existsSync(paths.cert) && existsSync(paths.key)) {
    const material = {
      caCert: await readFile(paths.caCert, 'utf8'),
      cert: await readFile(paths.cert, 'utf8'),
      key: await readFile(paths.key, 'utf8'),
    };
    if (covers(material.cert, hosts)) return material;
  }
  const material = generateTlsMaterial(hosts);
  await mkdir(dir, { recursive: true });
  await writeFile(paths.caCert, material.caCert, { mode: 0o644 });
  await writeFile(paths.cert, material.cert, { mode: 0o644 });
  await writeFile(paths.key, material.key, { mode: 0o600 });
  return material;
}

function covers(certPem: string, hosts: readonly string[]): boolean {
  try {
    const cert = forge.pki.certificateFromPem(certPem);
    if (cert.validity.notAfter.getTime() < Date.now() + 24 * 3600 * 1000) return false;
    const ext = cert.getExtension('subjectAltName') as {
      altNames?: { ip?: string; value?: string }[];
    } | null;
    const names = new Set((ext?.altNames ?? []).map((n) => n.ip ?? n.value));
    return hosts.every((h) => names.has(h));
  } catch {
    return false;
  }
}
