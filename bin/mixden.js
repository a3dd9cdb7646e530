#!/usr/bin/env node
// The command line. The Vulkan driver (a GPU's, or SwiftShader's where there is none) is chosen in-process by
// nodeGpu, so this launcher only runs the command.
const { main } = await import('../dist/cli/main.js');
const code = await main(process.argv.slice(2));
// Dawn keeps handles open, so exit explicitly once the command is done; but writes to a pipe complete
// asynchronously, and exiting at once would cut off whatever is past the pipe's first 64 KiB: let stdout and
// stderr drain first.
await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write('', resolve))));
process.exit(code);
