/**
 * What a real cluster's control plane puts into namespaces: the `kubernetes` Service in `default` (the API
 * server's own), and in every active namespace a `default` ServiceAccount and the `kube-root-ca.crt`
 * ConfigMap with the cluster's CA, recreated when deleted, as kube-controller-manager does.
 */
export {
  type NamespaceController,
  type NamespaceControllerOptions,
  ROOT_CA_CONFIGMAP,
  startNamespaceController,
} from './controller.js';
