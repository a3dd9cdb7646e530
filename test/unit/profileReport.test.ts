// mixden profile's text report: a stage's passes (a blocked walk's dispatch per time step) on one line.
import { describe, expect, it } from 'vitest';
import { groupDispatches } from '../../src/cli/profile.js';
import { passNote, passOf } from '../../src/runtime/program.js';

describe('mixden profile report', () => {
  it("joins the passes of one stage (their pass notes), summing their time, and keeps other dispatches of the same kernel apart", () => {
    const d = (label: string, milliseconds: number) => ({ label, milliseconds });
    const walk = (pass: number) => d(`step/walk ${passNote(pass, 3)}`, pass === 0 ? 0.5 : 0.25);
    const groups = groupDispatches([d('step/dense', 1), d('step/dense', 2), walk(0), walk(1), walk(2), walk(0), d('step/b', 2), d('step/walk (pass 1 of 1)', 1)]);
    expect(groups).toEqual([
      { label: 'step/dense', count: 1, milliseconds: 1 },
      { label: 'step/dense', count: 1, milliseconds: 2 },
      { label: 'step/walk', count: 3, milliseconds: 1 },
      // The same stage recorded again right after (another layer's walk): a line of its own.
      { label: 'step/walk', count: 1, milliseconds: 0.5 },
      { label: 'step/b', count: 1, milliseconds: 2 },
      { label: 'step/walk', count: 1, milliseconds: 1 },
    ]);
    expect(groupDispatches([])).toEqual([]);
    expect(passOf('p/k[x] (pass 12 of 64)')).toEqual({ base: 'p/k[x]', pass: 12, passes: 64 });
    expect(passOf('p/k[x]')).toBeNull();
  });
});
