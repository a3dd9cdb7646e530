// Runtime behaviour on a real device: pipeline cache, ownership of a caller's device, no per-step allocation.
import { describe, expect, it } from 'vitest';
import { useGpuPage } from './page.js';

const page = useGpuPage();

describe('runtime', () => {
  it('shares one compile between concurrent callers and keys variants apart', async () => {
    expect(await page().run('pipelineCacheShares')).toEqual({ samePipeline: true, differentVariant: true });
  });

  it("leaves a caller's device alive when the context is destroyed, and refuses later use", async () => {
    const r = await page().run<{ ownsDevice: boolean; afterDestroy: string; stillUsable: boolean }>('callerDeviceSurvives');
    expect(r.ownsDevice).toBe(false);
    expect(r.afterDestroy).toMatch(/destroyed/);
    expect(r.stillUsable).toBe(true);
  });

  it('creates no buffer, bind group or pipeline per step, and records a small constant number of dispatches', async () => {
    const r = await page().run<{ counts: Record<string, number>; dispatchesPerStep: number; description: string }>('stepsAllocateNothing');
    // Loss readback maps the one staging buffer made at build time; nothing else is created.
    expect(r.counts).toEqual({ createBuffer: 0, createBindGroup: 0, createComputePipeline: 0, createComputePipelineAsync: 0 });
    // 3 dense layers: 3 forward + NLL + mean + 3 weight grads + 2 input grads + Adam.
    expect(r.dispatchesPerStep).toBe(11);
  });

  it.each([100, 0])('rejects with DeviceLostError when the device is lost mid-training (loss read every %i steps)', async (lossEvery) => {
    const r = await page().run<{ error: { name: string; message: string } | null; later: { name: string } | null; stepsDone: number }>(
      'deviceLostMidTraining',
      { lossEvery },
    );
    expect(r.error).toMatchObject({ name: 'DeviceLostError', message: expect.stringMatching(/GPU device was lost \(destroyed/) });
    expect(r.later).toMatchObject({ name: 'DeviceLostError' });
    expect(r.stepsDone).toBeLessThan(5000);
  });

  it('refuses sizes past the device limits and bad data with errors that name the problem', async () => {
    const r = await page().run<Record<string, { name: string; message: string } | null>>('refusals');
    expect(r.hugeBatch).toMatchObject({ name: 'DeviceLimitError', message: expect.stringMatching(/268435456 rows needs \d+ bytes .* device binds at most \d+/) });
    expect(r.noRows).toMatchObject({ name: 'InvalidArgumentError', message: 'rows must be an integer >= 1, got 0' });
    expect(r.noComponents).toMatchObject({ name: 'InvalidArgumentError', message: 'components must be an integer >= 1, got 0' });
    expect(r.shortX).toMatchObject({ name: 'InvalidArgumentError', message: 'x must hold 4 rows x 3 columns = 12 values, got 11' });
    expect(r.nanY).toMatchObject({ name: 'InvalidArgumentError', message: 'y has a non-finite value (NaN) at row 2, column 1' });
    expect(r.badSteps).toMatchObject({ name: 'InvalidArgumentError' });
  });
});
