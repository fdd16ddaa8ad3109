#!/usr/bin/env node
'use strict';
import('../dist/src/cli/main.js').then((cli) => cli.runCli(require('node:path').join(__dirname, '..')));
