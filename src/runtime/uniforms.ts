// A uniform struct is declared once here; its WGSL text and its byte packing are both derived from it.

export type UniformScalar = 'u32' | 'i32' | 'f32';

export interface UniformStruct<Fields extends Record<string, UniformScalar> = Record<string, UniformScalar>> {
  readonly typeName: string;
  readonly fields: readonly { readonly name: string; readonly type: UniformScalar }[];
  /** Type-level only: the declared fields, for UniformValues. */
  readonly declared?: Fields;
}

/** The values of a uniform struct, typed from its declaration: one number per field. */
export type UniformValues<S> = S extends UniformStruct<infer F> ? { readonly [K in keyof F]: number } : never;

/**
 * Declares a uniform struct of 4-byte scalars.
 * @example
 * const MatmulShape = defineUniformStruct('MatmulShape', { m: 'u32', n: 'u32', k: 'u32' });
 */
export function defineUniformStruct<const Fields extends Record<string, UniformScalar>>(typeName: string, fields: Fields): UniformStruct<Fields> {
  return { typeName, fields: Object.entries(fields).map(([name, type]) => ({ name, type })) };
}

/** WGSL `struct` text for the declaration. */
export function uniformStructWgsl(struct: UniformStruct): string {
  const members = struct.fields.map((f) => `  ${f.name}: ${f.type},`).join('\n');
  return `struct ${struct.typeName} {\n${members}\n}`;
}

/** Byte size of the struct as WGSL lays it out: 4-byte scalars packed, size rounded up to 16. */
export function uniformByteSize(struct: UniformStruct): number {
  return Math.ceil((struct.fields.length * 4) / 16) * 16;
}

/**
 * Writes `values` into `view` at `byteOffset` in the struct's layout; every field must be given, no others.
 * @example
 * packUniforms(MatmulShape, { m: 7, n: 3, k: 2 }, new DataView(new ArrayBuffer(16)), 0);
 */
export function packUniforms(
  struct: UniformStruct,
  values: Readonly<Record<string, number>>,
  view: DataView,
  byteOffset: number,
): void {
  const known = new Set(struct.fields.map((f) => f.name));
  for (const key of Object.keys(values)) {
    if (!known.has(key)) throw new Error(`${struct.typeName}: unknown uniform '${key}'`);
  }
  struct.fields.forEach((field, i) => {
    const value = values[field.name];
    if (value === undefined) throw new Error(`${struct.typeName}: uniform '${field.name}' not given`);
    const at = byteOffset + i * 4;
    if (field.type === 'f32') view.setFloat32(at, value, true);
    else {
      if (!Number.isInteger(value)) throw new Error(`${struct.typeName}.${field.name} must be an integer, got ${value}`);
      if (field.type === 'u32') {
        if (value < 0 || value > 0xffffffff) throw new Error(`${struct.typeName}.${field.name} out of u32 range: ${value}`);
        view.setUint32(at, value, true);
      } else view.setInt32(at, value, true);
    }
  });
}
