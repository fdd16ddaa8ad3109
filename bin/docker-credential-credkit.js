#!/usr/bin/env node
'use strict';
// CommonJS on purpose: the helper runs on every `docker pull`, and a single bundled CommonJS file
// starts measurably faster than a tree of ES modules (see bench/).
require('../dist/helper.cjs')
  .main(require('node:path').join(__dirname, '..'))
  .catch((err) => {
    process.stdout.write(`docker-credential-credkit: internal error: ${err && err.message}\n`);
    process.exitCode = 1;
  });
