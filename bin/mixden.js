#!/usr/bin/env node
// The command line. The Vulkan driver (a GPU's, or SwiftShader's where there is none) is chosen in-process by
// nodeGpu, so this launcher only runs the command.
const { main } = await import('../dist/cli/main.js');
// Dawn keeps handles open; exit explicitly once the command is done.
process.exit(await main(process.argv.slice(2)));
