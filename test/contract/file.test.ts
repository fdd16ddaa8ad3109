import { runStoreContract } from './store-contract.js';
import { makeSandbox } from '../support/sandbox.js';

describe('store contract: file', () => {
  runStoreContract({ sandbox: () => makeSandbox({ CREDKIT_BACKEND: 'file' }) });
});
