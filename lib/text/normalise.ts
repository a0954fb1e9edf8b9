/**
 * Text normalisation shared by every model: NFKC, case folding, and the Arabic/Persian letter
 * variants that customers type interchangeably (so "كارت" and "کارت" are one word to a model).
 */
const ARABIC_DIACRITICS = /[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED]/g;
const TATWEEL = /\u0640/g;
const ZERO_WIDTH = /[\u200B-\u200D\u2060\uFEFF]/g;

const LETTER_VARIANTS: Record<string, string> = {
  "\u0622": "\u0627", // آ → ا
  "\u0623": "\u0627", // أ → ا
  "\u0625": "\u0627", // إ → ا
  "\u0671": "\u0627", // ٱ → ا
  "\u064A": "\u06CC", // Arabic yeh → Persian yeh
  "\u0649": "\u06CC", // alef maksura → yeh
  "\u0643": "\u06A9", // Arabic kaf → Persian keheh
  "\u0629": "\u0647", // teh marbuta → heh
  "\u06C0": "\u0647", // heh with yeh above → heh
};
const LETTER_VARIANT_PATTERN = new RegExp(`[${Object.keys(LETTER_VARIANTS).join("")}]`, "g");

/** Arabic-Indic (٠-٩) and Persian (۰-۹) digits become ASCII digits. */
function asciiDigits(text: string): string {
  return text.replace(/[\u0660-\u0669\u06F0-\u06F9]/g, (d) => String(d.charCodeAt(0) & 0xf));
}

export function normaliseText(text: string): string {
  return asciiDigits(
    text
      .normalize("NFKC")
      .toLowerCase()
      .replace(ZERO_WIDTH, " ")
      .replace(TATWEEL, "")
      .replace(ARABIC_DIACRITICS, "")
      .replace(LETTER_VARIANT_PATTERN, (c) => LETTER_VARIANTS[c] ?? c),
  );
}
