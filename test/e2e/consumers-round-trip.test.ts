/**
 * docker → podman → docker through the CLI loses nothing: the final config.json is the one we
 * started from, skopeo authenticates with it against a real registry (scoped key included), and
 * the docker CLI sends its credentials to the engine.
 */
import { expect } from 'chai';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run, skipUnlessPrograms, type Sandbox } from '../support/sandbox.js';
import { APP_IMAGES, startRegistry, type Registry } from '../support/registry.js';
import { decodeRegistryAuth, expectAuth, makeDockerSandbox, type DockerSandbox, type EngineAuthConfig, type FakeEngine } from '../support/fake-engine.js';
import { USERS, expectNoSecrets, makeConsumers, ok, renderFixture, writeFixture } from '../support/consumers.js';

const FIXTURE = 'consumers/docker-scoped-alice-wide-bob.json';
const HUB_KEY = 'https://index.docker.io/v1/';
const HUB = { username: 'hubuser', password: 'fake-hub-pw' };

describe('e2e: consumers: docker → podman → docker round trip, then skopeo and docker', function () {
  let registry: Registry | undefined;
  let docker: DockerSandbox | undefined;
  let engine: FakeEngine | undefined;
  let sb: Sandbox;
  let host: string;
  let original: string;
  let final: string;

  before(async function () {
    await skipUnlessPrograms(this, ['docker-registry', 'htpasswd', 'openssl', 'skopeo', 'docker']);
    registry = await startRegistry({ users: USERS, images: APP_IMAGES });
    host = registry.host;
    docker = await makeDockerSandbox();
    ({ engine, sb } = docker);

    await mkdir(join(sb.home, 'in'));
    const start = await writeFixture(join(sb.home, 'in', 'config.json'), FIXTURE, { REGISTRY: host });
    original = await renderFixture(FIXTURE, { REGISTRY: host });
    const podman = join(sb.home, 'mid', 'auth.json');
    final = docker.configPath;

    const toPodman = await sb.credkit(['convert', start, '--to', 'podman', '-o', podman]);
    expectNoSecrets('convert --to podman', [toPodman]);
    expect([toPodman.code, toPodman.stdout, toPodman.stderr]).to.deep.equal([0, '', '']);
    // Back to docker, the scoped key is reported (docker ignores it) and written anyway.
    const toDocker = await sb.credkit(['convert', podman, '--to', 'docker', '-o', final, '--allow-lossy', '--json']);
    expectNoSecrets('convert --to docker', [toDocker]);
    expect(toDocker.code, toDocker.stderr.trim()).to.equal(0);
    const report = JSON.parse(toDocker.stdout) as { losses: { kind: string; key: string }[] };
    expect(report.losses.map((l) => `${l.kind} ${l.key}`)).to.deep.equal([`scope ${host}/team/app`]);
  });
  after(async () => {
    await docker?.close();
    await registry?.stop();
  });

  it('the final config.json is byte for byte the docker-login-style file we started from', async () => {
    ok((await readFile(final, 'utf8')) === original, 'round-tripped file equals the original');
  });

  it('skopeo, given only the final file, authenticates as alice for team/app and bob for other/app', async () => {
    const clients = await makeConsumers(registry!, join(sb.home, 'consumers'));
    for (const [repo, user] of [['team/app', 'alice'], ['other/app', 'bob']] as const) {
      const mark = registry!.logMark();
      const res = await clients.inspect(final, `${host}/${repo}:1`);
      expectNoSecrets('skopeo inspect', [res]);
      expect(res.code, `skopeo inspect ${repo}: ${res.stderr.trim()}`).to.equal(0);
      expect(registry!.acceptedUsers(mark), repo).to.deep.equal([user]);
      expect(registry!.rejectedUsers(mark), repo).to.deep.equal([]);
    }
  });

  it('docker, reading it from DOCKER_CONFIG, sends the registry-wide and Docker Hub credentials', async () => {
    const e = engine!;
    const pull = async (ref: string) => {
      const r = await run('docker', ['pull', ref], { env: sb.env });
      expectNoSecrets('docker pull', [r]);
      expect(r.code, `docker pull ${ref}: ${r.stderr.trim()}`).to.equal(0);
      expect(r.stderr, 'docker warned about config.json').to.equal('');
      const header = e.pulls.at(-1)?.registryAuth;
      return header ? decodeRegistryAuth(header) : {};
    };
    // Docker has no repository scoping: team/app gets the registry-wide entry, as the report said.
    for (const repo of ['team/app', 'other/app']) {
      expectAuth(await pull(`${host}/${repo}:1`), { username: 'bob', password: USERS.bob, serveraddress: host }, `X-Registry-Auth for ${repo}`);
    }
    expectAuth(await pull('busybox'), { ...HUB, serveraddress: HUB_KEY }, 'X-Registry-Auth for Docker Hub');
  });
});
