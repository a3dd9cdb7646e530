// Pipelines are keyed on the exact WGSL text, entry point and override constants: a forgotten key part can
// never hand back the wrong shader. The promise is cached so concurrent callers share one compile.

export class PipelineCache {
  private readonly pipelines = new Map<string, Promise<GPUComputePipeline>>();
  private readonly layouts = new Map<string, GPUBindGroupLayout>();

  constructor(private readonly device: GPUDevice) {}

  /** One bind group layout per distinct list of entries. */
  bindGroupLayout(entries: GPUBindGroupLayoutEntry[], label: string): GPUBindGroupLayout {
    const key = JSON.stringify(entries);
    let layout = this.layouts.get(key);
    if (!layout) {
      layout = this.device.createBindGroupLayout({ label: `${label} layout`, entries });
      this.layouts.set(key, layout);
    }
    return layout;
  }

  /** Compiles (once) the compute pipeline for this source, entry point, constants and layout. */
  pipeline(
    code: string,
    layout: GPUBindGroupLayout,
    label: string,
    constants: Record<string, number> = {},
    entryPoint = 'main',
  ): Promise<GPUComputePipeline> {
    const sortedConstants = Object.keys(constants).sort().map((k) => [k, constants[k]]);
    const key = JSON.stringify([code, entryPoint, sortedConstants, this.layoutKey(layout)]);
    let pipeline = this.pipelines.get(key);
    if (!pipeline) {
      const module = this.device.createShaderModule({ label, code });
      pipeline = this.device.createComputePipelineAsync({
        label,
        layout: this.device.createPipelineLayout({ label: `${label} pipeline layout`, bindGroupLayouts: [layout] }),
        compute: { module, entryPoint, constants },
      });
      // A failed compile must not poison the cache for a later retry.
      pipeline.catch(() => this.pipelines.delete(key));
      this.pipelines.set(key, pipeline);
    }
    return pipeline;
  }

  get size(): number {
    return this.pipelines.size;
  }

  private layoutIds = new WeakMap<GPUBindGroupLayout, number>();
  private nextLayoutId = 0;
  private layoutKey(layout: GPUBindGroupLayout): number {
    let id = this.layoutIds.get(layout);
    if (id === undefined) {
      id = this.nextLayoutId++;
      this.layoutIds.set(layout, id);
    }
    return id;
  }
}
