/**
 * `credkit explain` / `credkit get`: runs the lookup of each client (docker, containers/image,
 * kubelet) over the same loaded files, sharing helper answers between them.
 */
import { HelperError } from '../errors.js';
import type { ClientExplanation, CredkitStoreReport, HelperAnswer, LookupClient, LookupDeps, LookupInput, ResolvedCredential } from './lookup.js';
import { containersToolsDiffer, lookupContainers, registriesConfApart, shortNameApart } from './lookup-containers.js';
import { buildahDiffers } from './locate.js';
import { lookupDocker } from './lookup-docker.js';
import { lookupKubelet } from './lookup-kubelet.js';

/**
 * Explains each requested client's lookup. `clients` defaults to docker and podman, plus buildah
 * and skopeo each when it searches other files than podman (buildahDiffers,
 * containersToolsDiffer, registriesConfApart, or where rootless podman and buildah meet credkit's keyutils refusal in
 * their user namespace and skopeo does not), plus kubelet when pull secrets are given. Helper calls
 * are made once per (helper, server URL).
 */
export async function explainLookup(input: LookupInput, deps: LookupDeps, clients?: readonly LookupClient[]): Promise<ClientExplanation[]> {
  const containers: LookupClient[] = ['podman'];
  if (buildahDiffers(input.host, input.locate ?? {})) containers.push('buildah');
  if (containersToolsDiffer(input) || shortNameApart(input) || registriesConfApart(input)) containers.push('skopeo');
  const wanted = clients ?? ['docker', ...containers, ...(input.secrets !== undefined ? ['kubelet' as const] : [])];
  const memo = new Map<string, Promise<HelperAnswer>>();
  const stores = new Map<string, Promise<CredkitStoreReport | undefined>>();
  const { dockerVersion, credkitStore } = deps;
  const storeOf = credkitStore
    ? (url: string) => {
        let store = stores.get(url);
        if (store === undefined) stores.set(url, (store = credkitStore(url)));
        return store;
      }
    : undefined;
  const shared: LookupDeps = {
    onPath: (p) => deps.onPath(p),
    askHelper: (helper, url) => {
      const k = `${helper}\0${url}`;
      let answer = memo.get(k);
      if (answer === undefined) memo.set(k, (answer = deps.askHelper(helper, url)));
      return answer;
    },
    ...(dockerVersion ? { dockerVersion } : {}),
    ...(storeOf ? { credkitStore: storeOf } : {}),
  };
  const out: ClientExplanation[] = [];
  for (const client of wanted) {
    if (client === 'docker') out.push(await lookupDocker(input, shared));
    else if (client === 'podman' || client === 'buildah' || client === 'skopeo') out.push(await lookupContainers(input, shared, client));
    else out.push(lookupKubelet(input));
  }
  // Rootless podman and buildah fail where credkit refuses their user namespace (keyutils), and
  // skopeo, which runs the helper as the user, does not: by default it is shown apart too.
  if (clients === undefined && !containers.includes('skopeo') && out.some((x) => x.helperCalls.some((h) => h.userNamespace))) {
    const after = out.findLastIndex((x) => x.client === 'podman' || x.client === 'buildah');
    out.splice(after + 1, 0, await lookupContainers(input, shared, 'skopeo'));
  }
  // credkit as the helper (credsStore or credHelpers) keeps each registry where its [routes] send
  // it: name that store, read from credkit's own config rather than asked of another process.
  for (const call of out.flatMap((x) => x.helperCalls)) {
    if (call.helper !== 'credkit' || storeOf === undefined) continue;
    const store = await storeOf(call.serverURL);
    if (store !== undefined) call.credkitStore = store;
  }
  return out;
}

/**
 * The credential a client sends, as `credkit get` prints it and getCredential returns it:
 * `undefined` when it pulls anonymously, a HelperError when its pull fails before that or hangs
 * on a helper (there is no credential to give, and "anonymous" would be wrong). `target` is the
 * image or registry as the caller named it.
 */
export function sentCredential(x: ClientExplanation, target: string): ResolvedCredential | undefined {
  if (x.outcome === 'error' || x.outcome === 'hang') throw new HelperError(`cannot get a credential for ${target} (${x.client}: ${x.reason})`);
  return x.outcome === 'credential' ? x.credential : undefined;
}
