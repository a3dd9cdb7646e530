// Counts a device's creation calls while `run` runs: the tests of "nothing allocated per step / per call".

export const CREATIONS = ['createBuffer', 'createBindGroup', 'createComputePipeline', 'createComputePipelineAsync'] as const;

export async function countCreations(device: GPUDevice, run: () => Promise<void>): Promise<Record<(typeof CREATIONS)[number], number>> {
  const target = device as unknown as Record<string, unknown>;
  const counts = Object.fromEntries(CREATIONS.map((name) => [name, 0])) as Record<(typeof CREATIONS)[number], number>;
  const originals = Object.fromEntries(CREATIONS.map((name) => [name, target[name]]));
  for (const name of CREATIONS) {
    target[name] = (...args: unknown[]) => {
      counts[name]++;
      return (originals[name] as (...a: unknown[]) => unknown).apply(device, args);
    };
  }
  try {
    await run();
  } finally {
    for (const name of CREATIONS) target[name] = originals[name];
  }
  return counts;
}
