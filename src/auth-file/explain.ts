/**
 * `credkit explain` / `credkit get`: runs the lookup of each client (docker, containers/image,
 * kubelet) over the same loaded files, sharing helper answers between them.
 */
import type { ClientExplanation, HelperAnswer, LookupClient, LookupDeps, LookupInput } from './lookup.js';
import { lookupContainers } from './lookup-containers.js';
import { lookupDocker } from './lookup-docker.js';
import { lookupKubelet } from './lookup-kubelet.js';

/**
 * Explains each requested client's lookup. `clients` defaults to docker and podman, plus kubelet
 * when pull secrets are given. Helper calls are made once per (helper, server URL).
 */
export async function explainLookup(input: LookupInput, deps: LookupDeps, clients?: readonly LookupClient[]): Promise<ClientExplanation[]> {
  const wanted = clients ?? (input.secrets !== undefined ? ['docker', 'podman', 'kubelet'] : ['docker', 'podman']);
  const memo = new Map<string, Promise<HelperAnswer>>();
  const shared: LookupDeps = {
    onPath: (p) => deps.onPath(p),
    askHelper: (helper, url) => {
      const k = `${helper}\0${url}`;
      let answer = memo.get(k);
      if (answer === undefined) memo.set(k, (answer = deps.askHelper(helper, url)));
      return answer;
    },
  };
  const out: ClientExplanation[] = [];
  for (const client of wanted) {
    if (client === 'docker') out.push(await lookupDocker(input, shared));
    else if (client === 'podman') out.push(await lookupContainers(input, shared));
    else out.push(lookupKubelet(input));
  }
  return out;
}
