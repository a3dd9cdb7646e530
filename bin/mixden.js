#!/usr/bin/env node
// Launcher: on machines without a Vulkan driver the command runs on SwiftShader (see swiftshader.js).
import { fileURLToPath } from 'node:url';
import { rerunOnSwiftShaderWhereNeeded } from './swiftshader.js';

await rerunOnSwiftShaderWhereNeeded(fileURLToPath(import.meta.url));
const { main } = await import('../dist/cli/main.js');
// Dawn keeps handles open; exit explicitly once the command is done.
process.exit(await main(process.argv.slice(2)));
