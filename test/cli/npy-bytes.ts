/** The bytes of a .npy file (format 1.0) for tests: any header shape, any data. */
export function npyBytes(
  shape: readonly number[],
  data: Float32Array | Float64Array,
  descr = data instanceof Float64Array ? "<f8" : "<f4",
): Buffer {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(", ");
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${dims}), }`;
  header += " ".repeat((64 - ((10 + header.length + 1) % 64)) % 64);
  header += "\n";
  const head = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
  head.writeUInt16LE(header.length, 8);
  const item = descr.endsWith("8") ? 8 : 4;
  const body = Buffer.alloc(data.length * item);
  const big = descr.startsWith(">");
  data.forEach((v, i) => {
    if (item === 4) big ? body.writeFloatBE(v, 4 * i) : body.writeFloatLE(v, 4 * i);
    else big ? body.writeDoubleBE(v, 8 * i) : body.writeDoubleLE(v, 8 * i);
  });
  return Buffer.concat([head, Buffer.from(header, "latin1"), body]);
}
