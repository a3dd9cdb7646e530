// mixden/inference in headless Chromium, on devices the test creates.
import { describe, expect, it } from 'vitest';
import { useGpuPage } from './page.js';

const page = useGpuPage();

describe('inference kernel', () => {
  it("recorded into the caller's encoder on the caller's buffers, gives exactly the library's mixture, log-densities and samples", async () => {
    expect(await page().run('embeddedMatchesLibrary')).toEqual({ mixture: true, run: true, logProb: true, sample: true, validation: '' });
  });

  it('two models share a device without disturbing each other; destroy frees only its own and leaves the device usable', async () => {
    const r = await page().run<Record<string, any>>('embeddedOwnership');
    expect(r.validation).toBe('');
    expect(r.together).toBe(true);
    expect(r.secondStillWorks).toBe(true);
    expect(r.stillUsable).toBe(true);
    expect(r.afterDestroy).toMatchObject({ name: 'DestroyedError', message: 'this inference kernel was destroyed' });
    expect(r.refusals.smallOutput).toMatchObject({ name: 'InvalidArgumentError', message: expect.stringMatching(/the output buffer holds 16 bytes; this call needs 1440/) });
    expect(r.refusals.noCopySource).toMatchObject({ name: 'InvalidArgumentError', message: 'the input buffer needs COPY_SRC usage' });
  });

  it('answers concurrent calls (30 in flight, three kinds, several chunks each) as it answers them one at a time', async () => {
    expect(await page().run('embeddedConcurrentCalls')).toEqual({ identical: true, validation: '' });
  });

  it('allocates nothing per call once a size has been seen (40 encodes of 4 chunks each)', async () => {
    const r = await page().run<{ counts: Record<string, number>; validation: string }>('embeddedAllocatesNothing');
    expect(r.validation).toBe('');
    expect(r.counts).toEqual({ createBindGroup: 0, createComputePipeline: 0, createComputePipelineAsync: 0, createBuffer: 0 });
  });

  it('exports WGSL that, run by hand in order, gives the same mixture', async () => {
    const r = await page().run<{ stages: { label: string }[]; identical: boolean; validation: string }>('exportedWgslRuns');
    expect(r.stages.map((s) => s.label)).toEqual(['layer0 1 -> 12 tanh', 'layer1 12 -> 9 identity', 'mixture parameters']);
    expect(r.validation).toBe('');
    expect(r.identical).toBe(true);
  });

  it('exports recurrent layers of a model of rows: two stages each, their scratch buffers and the recurrent block\'s offset named, the same mixture by hand', async () => {
    const r = await page().run<{ stages: { label: string; bindTo: string[] }[]; identical: boolean; validation: string }>('exportedRecurrentWgslRuns');
    expect(r.stages.map((s) => s.label)).toEqual([
      'layer0 1 -> 8 lstm (1 of 2)',
      'layer0 1 -> 8 lstm (2 of 2)',
      'layer1 8 -> 12 gru (1 of 2)',
      'layer1 8 -> 12 gru (2 of 2)',
      'layer2 12 -> 6 tanh',
      'layer3 6 -> 9 identity',
      'mixture parameters',
    ]);
    // The LSTM's recurrent block starts at the input block (2 x 32 floats) padded to 64 floats.
    expect(r.stages[1].bindTo).toEqual([
      'gates: {"kind":"scratch","index":0,"floatsPerRow":32}',
      'recurrent: {"kind":"weights","offsetFloats":64}',
      'cells: {"kind":"scratch","index":1,"floatsPerRow":8}',
      'output: {"kind":"output"}',
    ]);
    expect(r.stages[0].bindTo).toEqual(['input: {"kind":"input"}', 'weights: {"kind":"weights","offsetFloats":0}', 'output: {"kind":"scratch","index":0,"floatsPerRow":32}']);
    expect(r.validation).toBe('');
    expect(r.identical).toBe(true);
  });
});
