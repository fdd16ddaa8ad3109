/**
 * On Linux, credkit's keychain and docker-credential-secretservice share items: each reads what the
 * other stored, and a credkit store leaves one credential per server even where the reference
 * helper had left duplicates. Each test gets its own private bus and gnome-keyring, and uses the
 * default `[keychain] service` (the one without a credkit-only attribute).
 */
import { expect } from 'chai';
import { basePath, makeSandbox, run, skipUnlessPrograms, type Sandbox } from '../support/sandbox.js';
import { startPrivateBus, storeInput, type PrivateBus } from '../support/os-keyring.js';

const REFERENCE = 'docker-credential-secretservice';

describe('keychain ↔ docker-credential-secretservice on one gnome-keyring', function () {
  let bus: PrivateBus | undefined;
  let sb: Sandbox | undefined;
  before(async function () {
    await skipUnlessPrograms(this, ['dbus-daemon', 'gnome-keyring-daemon', REFERENCE]);
  });
  beforeEach(async () => {
    bus = await startPrivateBus({ secrets: true });
    sb = await makeSandbox({ CREDKIT_BACKEND: 'keychain', DBUS_SESSION_BUS_ADDRESS: bus.address });
  });
  afterEach(async () => {
    await sb?.cleanup();
    await bus?.stop();
    sb = undefined;
    bus = undefined;
  });

  const reference = (verb: string, input: string) =>
    run(REFERENCE, [verb], { input, env: { PATH: basePath(), HOME: sb!.env.HOME, DBUS_SESSION_BUS_ADDRESS: bus!.address } });

  it('credkit stores → the reference helper gets and lists it', async () => {
    expect((await sb!.helper('store', storeInput('quay.io', 'bob', 'fake-pw'))).code).to.equal(0);
    expect((await sb!.helper('store', storeInput('https://index.docker.io/v1/', '<token>', 'fake-token'))).code).to.equal(0);
    const got = await reference('get', 'quay.io');
    expect(got.code, got.stdout).to.equal(0);
    expect(JSON.parse(got.stdout)).to.deep.equal({ ServerURL: 'quay.io', Username: 'bob', Secret: 'fake-pw' });
    // The reference lists display labels; credkit labels its items with the URL, so the keys are clean.
    const list = await reference('list', 'unused');
    expect(JSON.parse(list.stdout)).to.deep.equal({ 'quay.io': 'bob', 'https://index.docker.io/v1/': '<token>' });
  });

  it('the reference helper stores → credkit gets and lists it', async () => {
    expect((await reference('store', storeInput('quay.io', 'bob', 'fake-pw'))).code).to.equal(0);
    expect((await reference('store', storeInput('ghcr.io', 'ann', 'fake-2'))).code).to.equal(0);
    const got = await sb!.helper('get', 'quay.io');
    expect(got.code, got.stdout).to.equal(0);
    expect(got.stdout).to.equal('{"ServerURL":"quay.io","Username":"bob","Secret":"fake-pw"}\n');
    const list = await sb!.helper('list', 'unused');
    expect(list.stdout).to.equal('{"ghcr.io":"ann","quay.io":"bob"}\n');
    // credkit erases the reference's items too.
    expect((await sb!.helper('erase', 'ghcr.io')).code).to.equal(0);
    expect((await reference('get', 'ghcr.io')).stdout).to.equal('credentials not found in native keychain\n');
  });

  it('a duplicate left by the reference helper is replaced by a credkit store: one credential per URL', async () => {
    expect((await reference('store', storeInput('quay.io', 'bob', 'fake-1'))).code).to.equal(0);
    expect((await reference('store', storeInput('quay.io', 'carol', 'fake-2'))).code).to.equal(0);
    // The reference returns either (it varies); credkit the newer, in get and list alike.
    expect((await sb!.helper('get', 'quay.io')).stdout).to.equal('{"ServerURL":"quay.io","Username":"carol","Secret":"fake-2"}\n');
    expect((await sb!.helper('list', 'unused')).stdout).to.equal('{"quay.io":"carol"}\n');
    expect((await sb!.helper('store', storeInput('quay.io', 'dave', 'fake-3'))).code).to.equal(0);
    expect(JSON.parse((await reference('get', 'quay.io')).stdout)).to.deep.equal({ ServerURL: 'quay.io', Username: 'dave', Secret: 'fake-3' });
    const items = await run('secret-tool', ['search', '--all', 'server', 'quay.io'], { env: { PATH: basePath(), DBUS_SESSION_BUS_ADDRESS: bus!.address } });
    expect(items.stdout.match(/^\[/gm), 'items for quay.io').to.have.length(1);
    expect((await sb!.helper('list', 'unused')).stdout).to.equal('{"quay.io":"dave"}\n');
  });
});
