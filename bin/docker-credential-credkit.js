#!/usr/bin/env node
import { main } from '../dist/src/helper/main.js';
await main();
