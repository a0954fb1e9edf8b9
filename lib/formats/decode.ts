import { InputError } from "../errors.ts";

/**
 * Bytes → text. UTF-8 (with or without BOM) is the contract; UTF-16 with a BOM is what some
 * Windows exports write, so it is re-decoded rather than rejected. Anything else is not UTF-8.
 */
export function decodeText(bytes: Uint8Array, objectKey: string): string {
  if (bytes.length === 0) throw new InputError("EMPTY_OBJECT", objectKey, undefined, "the object is empty (0 bytes)");
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le").decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder("utf-16be").decode(bytes.subarray(2));
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (error) {
    throw new InputError("NOT_UTF8", objectKey, undefined, "the object is not valid UTF-8 text", { cause: error });
  }
}

export function parseJson(text: string, objectKey: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const detail = error instanceof SyntaxError ? error.message : "invalid JSON";
    throw new InputError("MALFORMED_JSON", objectKey, undefined, `malformed JSON: ${detail}`, { cause: error });
  }
}
