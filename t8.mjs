import { create, globals } from 'webgpu';
Object.assign(globalThis, globals);
const what = process.argv.slice(2);
const gpu = create([]);
const adapter = await gpu.requestAdapter({ powerPreference: undefined });
const RAISED = ['maxStorageBufferBindingSize','maxBufferSize','maxComputeWorkgroupStorageSize','maxComputeInvocationsPerWorkgroup','maxComputeWorkgroupSizeX','maxComputeWorkgroupSizeY','maxStorageBuffersPerShaderStage'];
const requiredLimits = {};
if (what.includes('limits')) for (const n of RAISED) requiredLimits[n] = adapter.limits[n];
const requiredFeatures = what.includes('ts') ? ['timestamp-query'] : [];
const device = await adapter.requestDevice({ label: 'mixden', requiredLimits, requiredFeatures });
if (what.includes('info')) { const i = adapter.info; console.log(i.vendor, i.architecture); }
if (what.includes('lost')) device.lost.then(() => {});
device.pushErrorScope('validation');
console.log(await device.popErrorScope());
console.log('ok', what.join(' '));
process.exit(0);
