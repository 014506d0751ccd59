import { it } from 'vitest';
import { createApplyHooks } from '../../src/cluster/apply/index.js';
import { startTestCluster } from '../harness/cluster.js';
it('mixed', async () => {
  const c = await startTestCluster({ extensions: createApplyHooks() });
  const m = (img: string, r: number) => `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: default}\nspec:\n  replicas: ${r}\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: app, image: ${img}}]\n`;
  const show = async (args: string[], input?: string) => { const r = await c.kubectl(args, { input }); console.log('$ kubectl', args.join(' '), '->', r.code, r.stdout.trim(), r.stderr.trim()); };
  try {
    await show(['apply', '-f', '-'], m('nginx:1', 1));
    await show(['apply', '-f', '-'], m('nginx:2', 1));
    await show(['label', 'deploy', 'web', 'team=a']);
    await show(['apply', '--server-side', '-f', '-'], m('nginx:3', 2));
    await show(['apply', '--server-side', '--field-manager', 'x', '-f', '-'], m('nginx:4', 2));
    await show(['patch', 'deploy', 'web', '--type=merge', '-p', '{"spec":{"replicas":4}}']);
    await show(['replace', '-f', '-'], m('nginx:5', 3));
    await show(['apply', '--server-side', '--dry-run=server', '--force-conflicts', '-f', '-'], m('nginx:6', 3));
    await show(['get', 'deploy', 'web', '-o', 'yaml', '--show-managed-fields']);
  } finally { await c.stop(); }
}, 120000);
