// Debug output is switched on by MIXDEN_DEBUG (Node environment, or globalThis in a page), a comma list of:
//   shaders     print the WGSL of each kernel when it is compiled
//   dispatches  print the dispatches recorded for each step program

export type DebugTopic = 'shaders' | 'dispatches';

function debugSetting(): string {
  const fromGlobal = (globalThis as { MIXDEN_DEBUG?: unknown }).MIXDEN_DEBUG;
  if (typeof fromGlobal === 'string') return fromGlobal;
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.MIXDEN_DEBUG ?? '';
}

/** Whether a debug topic is switched on. */
export function debugEnabled(topic: DebugTopic): boolean {
  const setting = debugSetting();
  return setting.split(',').some((t) => t.trim() === topic || t.trim() === 'all');
}
