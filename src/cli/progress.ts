// Training progress on stderr: a bar redrawn in place on a terminal; elsewhere (logs, CI, pipes) a plain line
// at each tenth of the run, the last step, and at least every 30 s, not one per evaluation.

export interface ProgressReporter {
  update(step: number, total: number, text: string): void;
  done(): void;
}

export function progressReporter(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  if (!stream.isTTY) {
    let lastTenth = 0;
    let lastTime = performance.now();
    return {
      update(step, total, text) {
        const tenth = Math.floor((10 * step) / total);
        const now = performance.now();
        if (tenth > lastTenth || step === total || now - lastTime > 30_000) {
          stream.write(`step ${step}/${total}  ${text}\n`);
          lastTenth = tenth;
          lastTime = now;
        }
      },
      done: () => {},
    };
  }
  let drawn = false;
  return {
    update(step, total, text) {
      const width = 30;
      const filled = Math.round((width * step) / total);
      stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${step}/${total}  ${text}\x1b[K`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\n');
    },
  };
}
