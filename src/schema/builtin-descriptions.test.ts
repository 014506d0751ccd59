import { describe, expect, it } from 'vitest';
import { builtinDescriptions, builtinSchemas } from './index.js';

describe('builtinDescriptions', () => {
  it('documents built-in types and their scalar fields by schema name', () => {
    builtinSchemas();
    const started = performance.now();
    const docs = builtinDescriptions();
    const elapsed = performance.now() - started;
    expect(docs['io.k8s.api.apps.v1.DeploymentSpec']).toMatchObject({
      description: 'DeploymentSpec is the specification of the desired behavior of the Deployment.',
      fields: { paused: 'Indicates that the deployment is paused.' },
    });
    expect(docs['io.k8s.api.apps.v1.DeploymentSpec']!.fields.replicas).toMatch(/^Number of desired pods\./);
    expect(docs['io.k8s.api.core.v1.PodSpec']!.fields.setHostnameAsFQDN).toContain("pod's hostname");
    expect(docs['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']!.fields.name).toBeDefined();
    expect(Object.keys(docs).length).toBeGreaterThan(300);
    expect(elapsed).toBeLessThan(1000);
  });

  it('leaves the schemas themselves without field documentation', () => {
    expect(
      builtinSchemas()['io.k8s.api.apps.v1.DeploymentSpec']!.properties!.paused!.description,
    ).toBeUndefined();
  });
});
