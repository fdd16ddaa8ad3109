/**
 * The least work any Node program can do to answer a keychain `get` from the Secret Service: dial
 * the session bus, authenticate, say Hello, then OpenSession + SearchItems and GetSecrets + the
 * item's attributes (two round trips, each pipelined), and print the answer. No configuration, no
 * protocol checks, no error texts, no code cache. The keychain benchmark runs it (bundled into one
 * CommonJS file, as the helper is) beside credkit's `get`, so the distance between credkit and
 * what Node itself allows is measured in the same run instead of argued.
 *
 * Usage: node least-get.cjs SERVER_URL (DBUS_SESSION_BUS_ADDRESS must be a `unix:path=` address).
 */
import { callBus, parseBusAddress, type BusValue } from '../src/stores/dbus-wire.js';

const SERVICE_PATH = '/org/freedesktop/secrets';
const SERVICE = 'org.freedesktop.Secret.Service';

const [endpoint] = parseBusAddress(process.env.DBUS_SESSION_BUS_ADDRESS ?? '');
if (!endpoint || !('path' in endpoint)) throw new Error('least-get: DBUS_SESSION_BUS_ADDRESS must be a unix:path= address');
const server = process.argv[2] ?? '';

void callBus(endpoint.path, process.getuid?.(), 5000, async (call) => {
  const ask = async (path: string, iface: string, member: string, signature: string, args: BusValue[]): Promise<BusValue[]> => {
    const reply = await call({ destination: 'org.freedesktop.secrets', path, interface: iface, member, signature, args });
    if (reply.error !== undefined) throw new Error(reply.errorName);
    return reply.values;
  };
  const [[, session], [items]] = await Promise.all([
    ask(SERVICE_PATH, SERVICE, 'OpenSession', 'sv', ['plain', ['s', '']]),
    ask(SERVICE_PATH, SERVICE, 'SearchItems', 'a{ss}', [[['server', server], ['docker_cli', '1']]]),
  ]);
  const item = (items as string[])[0];
  if (item === undefined) throw new Error('least-get: not found');
  const [[secrets], [attributes]] = await Promise.all([
    ask(SERVICE_PATH, SERVICE, 'GetSecrets', 'aoo', [[item], session as string]),
    ask(item, 'org.freedesktop.DBus.Properties', 'Get', 'ss', ['org.freedesktop.Secret.Item', 'Attributes']),
  ]);
  const secret = ((secrets as BusValue[][])[0]?.[1] as BusValue[])[2] as Buffer;
  const username = new Map(attributes as [string, string][]).get('username') ?? '';
  return { ServerURL: server, Username: username, Secret: secret.toString('utf8') };
}).then((answer) => process.stdout.write(`${JSON.stringify(answer)}\n`));
