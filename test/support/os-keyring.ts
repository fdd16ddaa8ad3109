/**
 * Real keyrings for tests: a private D-Bus session bus with its own gnome-keyring, a bus with no
 * Secret Service, a socket that never answers, and kernel-keyring clean-up. Everything started
 * here is stopped by the returned `stop()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { basePath, run, type Sandbox } from './sandbox.js';

/** A running private session bus, maybe with a Secret Service on it. */
export interface PrivateBus {
  address: string;
  dir: string;
  stop(): Promise<void>;
}

function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Another user's uid and gid, as which a bus and its keyring run (a test run as root). */
export interface BusUser {
  uid: number;
  gid: number;
}

/** `cmd args` as `user` (setpriv execs it, so no process of su's stands in between), else as is. */
function asBusUser(user: BusUser | undefined, cmd: string, args: readonly string[]): [string, string[]] {
  return user === undefined ? [cmd, [...args]] : ['setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', cmd, ...args]];
}

async function busHasSecrets(address: string, user: BusUser | undefined): Promise<boolean> {
  // As the bus's user: a bus refuses other users, root included.
  const [cmd, args] = asBusUser(user, 'dbus-send', ['--session', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', 'string:org.freedesktop.secrets']);
  const r = await run(cmd, args, { env: { PATH: basePath(), DBUS_SESSION_BUS_ADDRESS: address }, timeoutMs: 5000 });
  return r.stdout.includes('boolean true');
}

/**
 * Starts `dbus-daemon` on a socket in a fresh temp dir (or, with `abstract`, on a Linux abstract
 * socket); with `secrets`, an unlocked gnome-keyring too; with `maxMessageSize`, a bus that drops
 * a connection sending a larger message (dbus-daemon's default is 32 MiB; a low one keeps tests small).
 * With `user` (a test run as root), both run as that user, in a directory of theirs: a session
 * bus takes only its own user, and a keyring that cannot write its home cannot make the login
 * collection it is told to unlock.
 */
export async function startPrivateBus(options: { secrets: boolean; abstract?: boolean; maxMessageSize?: number; user?: BusUser }): Promise<PrivateBus> {
  const dir = await mkdtemp(join(tmpdir(), 'credkit-bus-'));
  const { user } = options;
  const children: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    for (const c of children.reverse()) await stopChild(c);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const address = options.abstract ? `unix:abstract=credkit-bus-${randomBytes(6).toString('hex')}` : `unix:path=${join(dir, 'bus')}`;
    // A bus config with no service directories, with or without a Secret Service: the stock session
    // config would D-Bus-activate the system's gnome-keyring, which on a bare bus is not what the
    // bus is for, and beside ours would replace a keyring that died by a locked one started without
    // --unlock, so that a crash showed up as confusing "locked" failures in later tests.
    const config = join(dir, 'session.conf');
    const limit = options.maxMessageSize === undefined ? '' : `<limit name="max_message_size">${options.maxMessageSize}</limit>`;
    await writeFile(
      config,
      `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>${address}</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>${limit}</busconfig>
`,
    );
    if (user) {
      for (const d of ['run', 'data', 'config']) await mkdir(join(dir, d), { mode: 0o700 });
      for (const p of ['', 'session.conf', 'run', 'data', 'config']) await chown(join(dir, p), user.uid, user.gid);
    }
    const bus = spawn('dbus-daemon', [`--config-file=${config}`, '--nofork', '--print-address=1'], {
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { PATH: basePath() },
      ...user,
    });
    children.push(bus);
    await new Promise<void>((resolve, reject) => {
      bus.stdout!.once('data', () => resolve());
      bus.once('exit', (code) => reject(new Error(`dbus-daemon exited (${code})`)));
    });
    if (options.secrets) {
      if (!user) for (const d of ['run', 'data', 'config']) await mkdir(join(dir, d), { mode: 0o700 });
      const keyring = spawn('gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets'], {
        stdio: ['pipe', 'ignore', 'ignore'],
        env: {
          PATH: basePath(),
          HOME: dir,
          XDG_RUNTIME_DIR: join(dir, 'run'),
          XDG_DATA_HOME: join(dir, 'data'),
          XDG_CONFIG_HOME: join(dir, 'config'),
          DBUS_SESSION_BUS_ADDRESS: address,
        },
        ...user,
      });
      children.push(keyring);
      keyring.stdin!.end('fake-keyring-password');
      let up = false;
      for (let i = 0; i < 100 && !up && keyring.exitCode === null; i++) {
        up = await busHasSecrets(address, user);
        if (!up) await new Promise((r) => setTimeout(r, 50));
      }
      if (!up) throw new Error('gnome-keyring-daemon did not come up on the private bus');
    }
    return { address, dir, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** A unix socket that accepts connections and never says a word: a wedged bus. */
export async function startSilentSocket(): Promise<{ address: string; stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'credkit-silent-'));
  const path = join(dir, 'bus');
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    address: `unix:path=${path}`,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A keyring service name no other test or user uses. */
export function uniqueService(): string {
  return `credkit-test-${randomBytes(5).toString('hex')}`;
}

/** Store input the way docker sends it. */
export function storeInput(serverURL: string, username: string, secret: string): string {
  return `${JSON.stringify({ ServerURL: serverURL, Username: username, Secret: secret })}\n`;
}

/**
 * Runs `n` parallel `store` processes (the i-th with `envFor(i)` added to its environment), then
 * checks that `list` has all of them and each `get` works.
 */
export async function checkConcurrentStores(sb: Sandbox, n: number, envFor: (i: number) => Record<string, string> = () => ({})): Promise<void> {
  const urls = Array.from({ length: n }, (_, i) => `reg${String(i).padStart(2, '0')}.example.com`);
  const stored = await Promise.all(urls.map((url, i) => sb.helper('store', storeInput(url, `user${i}`, `fake-secret-${i}`), envFor(i))));
  for (const r of stored) expect(r.code, r.stdout).to.equal(0);
  const list = await sb.helper('list', 'unused');
  expect(list.code, list.stdout).to.equal(0);
  expect(JSON.parse(list.stdout)).to.deep.equal(Object.fromEntries(urls.map((url, i) => [url, `user${i}`])));
  const got = await Promise.all(urls.map((url) => sb.helper('get', url)));
  got.forEach((r, i) => {
    expect(r.code, r.stdout).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({ ServerURL: urls[i], Username: `user${i}`, Secret: `fake-secret-${i}` });
  });
}

/**
 * Descriptions of the kernel keys of a service in the persistent keyring (where keyring-rs links
 * them, so that they outlive the session). Run in a throwaway session that possesses the
 * persistent keyring, since only a possessor may read or invalidate the keys.
 */
async function kernelKeysScript(service: string, action: 'list' | 'invalidate'): Promise<string[]> {
  const script = `p=$(keyctl get_persistent @s) || exit 1
for k in $(keyctl rlist "$p"); do
  d=$(keyctl rdescribe "$k" 2>/dev/null) || continue
  case "$d" in *"@$SERVICE") echo "$k \${d##*;}"; [ "$ACTION" = invalidate ] && keyctl invalidate "$k";; esac
done`;
  const r = await run('keyctl', ['session', '-', 'sh', '-c', script], { env: { PATH: basePath(), SERVICE: service, ACTION: action } });
  return r.stdout.split('\n').filter(Boolean);
}

/**
 * The service's keys this process can see in /proc/keys: those the persistent keyring scan misses,
 * such as a key left in the user's shared session keyring when keyring-rs's link into the
 * persistent keyring was refused (a process without a session keyring of its own).
 */
async function visibleKernelKeys(service: string): Promise<string[]> {
  const lines = (await readFile('/proc/keys', 'utf8').catch(() => '')).split('\n');
  return lines.flatMap((line) => {
    const m = /^([0-9a-f]+) (\S+) .* user\s+(keyring:.*)@(\S+): \d+$/.exec(line);
    // Invalidated, revoked or dead keys (flags i, R, D) are listed until the kernel collects them.
    return m && m[4] === service && !/[iRD]/.test(m[2] as string) ? [`${parseInt(m[1] as string, 16)} ${m[3]}@${m[4]}`] : [];
  });
}

/** The kernel keys of a service, as "id description" lines. */
export async function kernelKeysOf(service: string): Promise<string[]> {
  const keys = await kernelKeysScript(service, 'list');
  const ids = new Set(keys.map((k) => k.split(' ')[0]));
  return [...keys, ...(await visibleKernelKeys(service)).filter((k) => !ids.has(k.split(' ')[0]))];
}

/** Invalidates every kernel key of a service (test clean-up). */
export async function purgeKernelKeys(service: string): Promise<void> {
  await kernelKeysScript(service, 'invalidate');
  for (const k of await visibleKernelKeys(service)) await run('keyctl', ['invalidate', k.split(' ')[0] as string]);
  expect(await kernelKeysOf(service), 'kernel keys left behind').to.deep.equal([]);
}
