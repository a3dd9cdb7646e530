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
});
