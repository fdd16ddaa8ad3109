/**
 * Answers "is there a Secret Service on this session bus?" without touching the keyring library,
 * whose D-Bus connect is synchronous and cannot be bounded: a child `dbus-send` can be killed.
 */
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Host } from '../io.js';

const SECRETS = 'org.freedesktop.secrets';

/** What went wrong, or undefined when the bus is there and something provides the Secret Service. */
export type BusCheck = { problem: string | undefined; checked: boolean };

function dbusSend(host: Host, method: string, args: string[], timeoutMs: number): Promise<{ ok: boolean; out: string; missing: boolean; timedOut: boolean }> {
  return new Promise((resolve) => {
    execFile(
      'dbus-send',
      ['--session', '--print-reply', `--reply-timeout=${timeoutMs}`, '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', `org.freedesktop.DBus.${method}`, ...args],
      { env: host.env as NodeJS.ProcessEnv, timeout: timeoutMs + 500, killSignal: 'SIGKILL', encoding: 'utf8' },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { killed?: boolean }) | null;
        resolve({
          ok: !e,
          out: e ? (stderr || e.message).split('\n')[0]!.trim() : stdout,
          missing: e?.code === 'ENOENT',
          timedOut: Boolean(e?.killed),
        });
      },
    );
  });
}

/**
 * Checks the session bus: an address (or `$XDG_RUNTIME_DIR/bus`), a bus that answers, and an owner
 * (or an activatable service) for org.freedesktop.secrets. `checked` is false when `dbus-send` is
 * not installed and only the address could be checked.
 */
export async function checkSecretServiceBus(host: Host, timeoutMs: number): Promise<BusCheck> {
  if (!host.env.DBUS_SESSION_BUS_ADDRESS) {
    const runtime = host.env.XDG_RUNTIME_DIR;
    const socket = runtime ? await stat(join(runtime, 'bus')).catch(() => undefined) : undefined;
    if (!socket?.isSocket()) {
      return {
        problem: 'no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset and there is no $XDG_RUNTIME_DIR/bus); run inside dbus-run-session or a desktop login',
        checked: true,
      };
    }
  }
  const owner = await dbusSend(host, 'NameHasOwner', [`string:${SECRETS}`], timeoutMs);
  if (owner.missing) return { problem: undefined, checked: false };
  if (owner.timedOut) return { problem: `the D-Bus session bus did not answer within ${Math.round(timeoutMs / 1000)} s`, checked: true };
  if (!owner.ok) return { problem: `cannot reach the D-Bus session bus (${owner.out})`, checked: true };
  if (/boolean true/.test(owner.out)) return { problem: undefined, checked: true };
  const activatable = await dbusSend(host, 'ListActivatableNames', [], timeoutMs);
  if (activatable.ok && activatable.out.includes(`"${SECRETS}"`)) return { problem: undefined, checked: true };
  return {
    problem: `no Secret Service on the D-Bus session bus (nothing provides ${SECRETS}); start gnome-keyring-daemon --components=secrets or KeePassXC's Secret Service`,
    checked: true,
  };
}
