// mixden/onnx: a saved model as an ONNX graph of standard operators, for ONNX Runtime and other engines. Its own
// entry point, so that neither mixden nor mixden/inference bundles the protobuf encoder.
export { exportOnnx, type OnnxExportOptions, ONNX_FAMILIES, ONNX_LAYER_KINDS } from './mdn/onnx/exportOnnx.js';
