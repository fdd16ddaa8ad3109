/**
 * The least work a Node program can do to turn a docker config.json into a pull secret, written
 * the way anyone would write it in a few lines: JSON.parse, then for each entry decode `auth`
 * (atob, the fastest of Node's decoders for a short value), split it at the first `:`, build
 * kubectl's entry layout (username, password, email, auth, identitytoken), JSON.stringify the
 * payload, base64 it and put it in one YAML document. No Go escaping, no key normalising or
 * duplicate check, no validation, no report. The auth-file benchmark times it beside credkit's
 * `--to secret`, so that the distance between the target and what plain JavaScript allows is
 * measured in the same run instead of argued.
 */
export function leastSecret(text: string): string {
  const auths = (JSON.parse(text) as { auths: Record<string, Record<string, string | undefined>> }).auths;
  const out: Record<string, Record<string, string>> = {};
  for (const key in auths) {
    const e = auths[key] as Record<string, string | undefined>;
    const auth = e.auth as string;
    const decoded = atob(auth);
    const colon = decoded.indexOf(':');
    const entry: Record<string, string> = { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    if (e.email !== undefined) entry.email = e.email;
    entry.auth = auth;
    if (e.identitytoken !== undefined) entry.identitytoken = e.identitytoken;
    out[key] = entry;
  }
  const payload = Buffer.from(JSON.stringify({ auths: out }), 'utf8').toString('base64');
  return `apiVersion: v1\ndata:\n  .dockerconfigjson: ${payload}\nkind: Secret\nmetadata:\n  name: regcred\ntype: kubernetes.io/dockerconfigjson\n`;
}
