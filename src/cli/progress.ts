// Training progress on stderr: a bar redrawn in place on a terminal, plain lines otherwise (logs, CI, pipes).

export interface ProgressReporter {
  update(step: number, total: number, text: string): void;
  done(): void;
}

export function progressReporter(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  if (!stream.isTTY) {
    return { update: (step, total, text) => stream.write(`step ${step}/${total}  ${text}\n`), done: () => {} };
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
