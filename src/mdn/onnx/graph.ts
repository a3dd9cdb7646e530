// Builds an ONNX graph one node at a time: each op returns the name of its output, constants become
// initializers, and `finish` encodes the model (./schema.ts). Names are unique by construction (a counter).
import { ATTRIBUTE_FLOAT, ATTRIBUTE_INT, ATTRIBUTE_INTS, FLOAT, INT64, ModelProto } from './schema.js';

export type Attribute = number | readonly number[] | { float: number };

interface ValueInfo {
  readonly name: string;
  readonly dims: readonly (number | string)[];
}

export class GraphBuilder {
  private readonly nodes: object[] = [];
  private readonly initializers: object[] = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private count = 0;

  constructor(private readonly opset: number) {}

  /** A float32 graph input of these dimensions (a string names a dimension the caller chooses, e.g. 'rows'). */
  input(name: string, dims: readonly (number | string)[]): string {
    this.inputs.push({ name, dims });
    return name;
  }

  /** Marks `value` as the graph output `name` (through an Identity node where the names differ). */
  output(value: string, name: string, dims: readonly (number | string)[]): void {
    if (value !== name) this.nodes.push({ opType: 'Identity', input: [value], output: [name], name: `${name}_out` });
    this.outputs.push({ name, dims });
  }

  /** A float32 constant of shape `dims` (an initializer). */
  floats(label: string, values: ArrayLike<number>, dims: readonly number[] = [values.length]): string {
    const name = this.fresh(label);
    const raw = new Uint8Array(4 * values.length);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i], true);
    this.initializers.push({ name, dims: [...dims], dataType: FLOAT, rawData: raw });
    return name;
  }

  /** A float32 scalar constant. */
  scalar(label: string, value: number): string {
    return this.floats(label, [value], []);
  }

  /** An int64 vector constant (axes, shapes, slice bounds). */
  ints(label: string, values: readonly number[]): string {
    const name = this.fresh(label);
    this.initializers.push({ name, dims: [values.length], dataType: INT64, int64Data: [...values] });
    return name;
  }

  /** An int64 scalar constant (a Gather index that drops its axis). */
  index(label: string, value: number): string {
    const name = this.fresh(label);
    this.initializers.push({ name, dims: [], dataType: INT64, int64Data: [value] });
    return name;
  }

  /** A node of `op` on `inputs` with `attributes` (a number is an int, { float } a float, a list ints); returns its output. */
  op(op: string, inputs: readonly string[], attributes: Record<string, Attribute> = {}, label = op.toLowerCase()): string {
    const output = this.fresh(label);
    const attribute = Object.entries(attributes).map(([name, value]) =>
      typeof value === 'number'
        ? { name, type: ATTRIBUTE_INT, i: value }
        : 'float' in value
          ? { name, type: ATTRIBUTE_FLOAT, f: value.float }
          : { name, type: ATTRIBUTE_INTS, ints: [...(value as readonly number[])] },
    );
    this.nodes.push({ opType: op, input: [...inputs], output: [output], name: output, attribute });
    return output;
  }

  /** The encoded model. */
  finish(graphName: string, metadata: Record<string, string>): Uint8Array {
    const valueInfo = ({ name, dims }: ValueInfo) => ({
      name,
      type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
    });
    const model = ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: this.opset }],
      producerName: 'mixden',
      graph: { node: this.nodes, name: graphName, initializer: this.initializers, input: this.inputs.map(valueInfo), output: this.outputs.map(valueInfo) },
      metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    });
    return ModelProto.encode(model).finish();
  }

  private fresh(label: string): string {
    return `${label}_${this.count++}`;
  }
}
