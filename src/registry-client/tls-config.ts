/**
 * The TLS settings for talking to a registry, read the way podman and skopeo read `--cert-dir`: in
 * the directory, every `*.crt` is a CA certificate, and every `NAME.cert` is a client certificate
 * whose key is `NAME.key` (a key without its certificate, or the reverse, is an error, as in
 * containers/image). Extra CAs are added to node's built-in roots, not put in their place.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import { isAbsolute, join } from 'node:path';
import type { Env } from '../io.js';
import { IoError, UsageError } from '../errors.js';

/** How to check (or not check) a registry's certificate, and which client certificate to show. */
export interface TlsOptions {
  /** PEM files with extra CA certificates. */
  caFiles?: readonly string[];
  /** A podman/skopeo-style certificate directory (`*.crt` CAs, `*.cert` + `*.key` client pairs). */
  certDir?: string;
  /** Skip certificate verification (podman's `--tls-verify=false`, docker's insecure registry). */
  insecure?: boolean;
  /**
   * With `insecure`, fall back to plain `http://` when the HTTPS request cannot connect or fails its
   * handshake, as podman does with `--tls-verify=false`. Ignored without `insecure`.
   */
  allowHttp?: boolean;
}

/** The settings node's `https.request` takes. */
export interface TlsMaterial {
  /** Node's roots plus the extra CAs; undefined for node's defaults. */
  ca?: string[];
  /** The client certificate chain and its key (the first pair by file name). */
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
}

async function readPem(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new IoError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { cause: e });
  }
}

/** Reads the CA files and the certificate directory into options for `https.request`. */
export async function loadTlsMaterial(options: TlsOptions = {}): Promise<TlsMaterial> {
  const extraCas: string[] = [];
  for (const file of options.caFiles ?? []) extraCas.push(await readPem(file));
  let cert: string | undefined;
  let key: string | undefined;

  if (options.certDir !== undefined) {
    const dir = options.certDir;
    let names: string[];
    try {
      names = (await readdir(dir, { withFileTypes: true })).filter((d) => !d.isDirectory()).map((d) => d.name).sort();
    } catch (e) {
      throw new IoError(`cannot read the certificate directory ${dir}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { cause: e });
    }
    const present = new Set(names);
    for (const name of names) {
      if (name.endsWith('.crt')) extraCas.push(await readPem(join(dir, name)));
      else if (name.endsWith('.cert')) {
        const keyName = `${name.slice(0, -'.cert'.length)}.key`;
        if (!present.has(keyName)) throw new UsageError(`${dir}: client certificate ${name} has no key ${keyName}`);
        // node takes one client pair; like a client showing its first certificate, use the first.
        if (cert === undefined) {
          cert = await readPem(join(dir, name));
          key = await readPem(join(dir, keyName));
        }
      } else if (name.endsWith('.key')) {
        const certName = `${name.slice(0, -'.key'.length)}.cert`;
        if (!present.has(certName)) throw new UsageError(`${dir}: key ${name} has no client certificate ${certName}`);
      }
    }
  }

  const material: TlsMaterial = { rejectUnauthorized: options.insecure !== true };
  if (extraCas.length > 0) material.ca = [...rootCertificates, ...extraCas];
  if (cert !== undefined && key !== undefined) {
    material.cert = cert;
    material.key = key;
  }
  return material;
}

/**
 * The certificate directory podman would use for `registry` (`host[:port]`) without
 * `--cert-dir`: the first of `$XDG_CONFIG_HOME/containers/certs.d/REGISTRY` (default
 * `~/.config/…`), `/etc/containers/certs.d/REGISTRY` and docker's `/etc/docker/certs.d/REGISTRY`
 * that exists (containers-certs.d(5); containers/image tries them in this order). Undefined when
 * none does.
 */
export async function defaultCertDir(registry: string, env: Env, home: string): Promise<string | undefined> {
  const config = env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : join(home, '.config');
  for (const base of [join(config, 'containers', 'certs.d'), '/etc/containers/certs.d', '/etc/docker/certs.d']) {
    const dir = join(base, registry);
    if ((await stat(dir).catch(() => undefined))?.isDirectory()) return dir;
  }
  return undefined;
}
