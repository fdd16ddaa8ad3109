/**
 * Doctor's check of the selected saved account (`account =` in config.ini, or CREDKIT_ACCOUNT;
 * docs/helpers.md): a name no registry has is no error for the helper, which then answers every
 * `get` with the plain entry, so a typo in `account =` would silently mean "plain credentials
 * everywhere". Only the names are compared; nothing is read but the store's list.
 */
import type { CredkitConfig } from '../config.js';
import type { Host } from '../io.js';
import { messageOf } from '../errors.js';
import { parseAccountKey } from '../stores/account-key.js';
import type { DoctorProbes } from './probes.js';
import type { DoctorFinding } from './report.js';
import { displayPath } from './report.js';

/** Checks that the selected account is saved for some registry; nothing when none is selected. */
export async function checkSelectedAccount(config: CredkitConfig, host: Host, probes: DoctorProbes): Promise<DoctorFinding[]> {
  const name = config.account;
  if (name === undefined || probes.listCredkitStore === undefined) return [];
  const source = host.env.CREDKIT_ACCOUNT ? 'CREDKIT_ACCOUNT' : `"account =" in ${config.source === undefined ? "credkit's config.ini" : displayPath(config.source, host.home)}`;
  let listed: Map<string, string>;
  try {
    listed = await probes.listCredkitStore(config);
  } catch (err) {
    // The store's own trouble is reported by the store checks; this one only says what it could not do.
    return [{ level: 'info', area: 'stores', code: 'account-unchecked', what: `the saved account "${name}" (from ${source}) could not be looked for: ${messageOf(err)}` }];
  }
  const servers: string[] = [];
  const others = new Set<string>();
  for (const key of listed.keys()) {
    const parsed = parseAccountKey(key);
    if (parsed === undefined) continue;
    if (parsed.account === name) servers.push(parsed.serverURL);
    else others.add(parsed.account);
  }
  if (servers.length > 0) {
    return [{ level: 'ok', area: 'stores', code: 'account-selected', what: `credkit answers as the saved account "${name}" (from ${source}) for ${servers.sort().join(', ')}, and with the plain entry elsewhere` }];
  }
  const saved = [...others].sort();
  return [
    {
      level: 'warn',
      area: 'stores',
      code: 'account-unknown',
      what: `the account "${name}" (from ${source}) is saved for no registry, so docker-credential-credkit answers every registry with its plain credential${saved.length > 0 ? `; the saved accounts are ${saved.map((a) => `"${a}"`).join(', ')}` : '; no account is saved'}`,
      fix: `correct the name (credkit account list shows the saved accounts), or save the account: CREDKIT_ACCOUNT=${name} docker login -u USER REGISTRY`,
      ...(source.startsWith('"account =') && config.source !== undefined ? { path: config.source } : {}),
    },
  ];
}
