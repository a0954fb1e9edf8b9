import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { binaryFileOf, packModel, readModelFile, unpackModel, writeModelFile } from "../../lib/classify/model-file.ts";

const model = () => ({
  format: "test/v1",
  labels: ["a", "b"],
  terms: Float64Array.from([1, 2 ** 52 + 3, -0.5]),
  idf: Float32Array.from([0.25, 1.5, 3]),
  nested: { weights: Int8Array.from([-128, 0, 127, 5, 6]), scales: [Float32Array.from([7])] },
  bias: [0.1, 0.2],
});

describe("model files: a JSON beside a binary file of its arrays", () => {
  it("round-trips every array type exactly, as views of the right type, at 8-byte boundaries", () => {
    const { json, binary } = packModel(model(), "m.bin");
    expect(json.terms).toEqual({ $array: "float64", offset: 0, length: 3 });
    expect(json.idf).toEqual({ $array: "float32", offset: 24, length: 3 });
    // 24 + 12 = 36 → the int8 array starts at the next multiple of 8.
    expect((json.nested as { weights: unknown }).weights).toEqual({ $array: "int8", offset: 40, length: 5 });
    expect(json.binary).toMatchObject({ file: "m.bin", bytes: binary.byteLength });
    const back = unpackModel(JSON.parse(JSON.stringify(json)), binary, "m.json") as ReturnType<typeof model>;
    expect(back).toEqual(model());
    expect(back.terms).toBeInstanceOf(Float64Array);
    expect(back.nested.scales[0]).toBeInstanceOf(Float32Array);
    expect("binary" in back).toBe(false);
  });

  it("packs deterministically: the same model gives the same bytes", () => {
    const [a, b] = [packModel(model(), "m.bin"), packModel(model(), "m.bin")];
    expect(Buffer.from(a.binary).equals(Buffer.from(b.binary))).toBe(true);
    expect(JSON.stringify(a.json)).toBe(JSON.stringify(b.json));
  });

  it("reads arrays from bytes that do not start at an 8-byte boundary (an S3 body inside a larger buffer)", () => {
    const { json, binary } = packModel(model(), "m.bin");
    const shifted = new Uint8Array(binary.byteLength + 3);
    shifted.set(binary, 3);
    expect(unpackModel(json, shifted.subarray(3), "m.json")).toEqual(model());
  });

  it("refuses arrays of another model, a missing file, and references outside the file, naming the model", () => {
    const { json, binary } = packModel(model(), "m.bin");
    const changed = binary.slice();
    changed[1]! ^= 1;
    expect(() => unpackModel(json, changed, "x/m.json")).toThrow(/x\/m\.json: m\.bin is not this model's arrays file/);
    expect(() => unpackModel(json, binary.subarray(8), "x/m.json")).toThrow(/not this model's arrays file/);
    expect(() => unpackModel(json, undefined, "x/m.json")).toThrow(/x\/m\.json: its arrays file m\.bin is missing/);
    const outside = { ...json, idf: { $array: "float32", offset: 24, length: 1000 } };
    expect(() => unpackModel(outside, binary, "x/m.json")).toThrow(/x\/m\.json: idf: 1000 float32 values at byte 24 do not fit/);
    const badType = { ...json, idf: { $array: "float16", offset: 24, length: 3 } };
    expect(() => unpackModel(badType, binary, "x/m.json")).toThrow(/x\/m\.json: idf: not an array reference/);
    const escaping = { ...json, binary: { ...(json.binary as object), file: "../secrets.bin" } };
    expect(() => unpackModel(escaping, binary, "x/m.json")).toThrow(/binary\.file: expected a file name beside the model JSON/);
  });

  it("leaves a JSON without a binary file as it is (models with inline base64 arrays)", () => {
    const inline = { format: "recontact.model/v2", terms: "AAAAAAAA8D8=" };
    expect(unpackModel(inline, undefined, "m.json")).toBe(inline);
  });

  it("writes model.json beside model.bin and reads them back; a lost arrays file is a clear error", async () => {
    const dir = await mkdtemp(join(tmpdir(), "recontact-model-file-"));
    const path = join(dir, "model.json");
    await writeModelFile(path, model());
    expect(binaryFileOf(path)).toBe("model.bin");
    expect(JSON.parse(await readFile(path, "utf8")).binary.file).toBe("model.bin");
    expect(await readModelFile(path)).toEqual(model());
    await rm(join(dir, "model.bin"));
    await expect(readModelFile(path)).rejects.toThrow(/model\.json: cannot read its arrays file model\.bin/);
    await writeFile(join(dir, "broken.json"), "{");
    await expect(readModelFile(join(dir, "broken.json"))).rejects.toMatchObject({ code: "INVALID_MODEL" });
  });
});
