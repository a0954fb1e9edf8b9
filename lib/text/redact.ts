/**
 * PII redaction for text that leaves the pipeline (evidence quotes, examples in reports, the review
 * page). A pure function of its input: e-mail addresses, IBANs, card numbers, phone numbers and
 * self-introduced names are replaced by tokens.
 *
 * Every pattern is linear: character classes on either side of an optional separator are disjoint,
 * quantifiers are bounded or deterministic, and look-behinds stop a match from restarting inside a
 * run it has already scanned, so no input can make a pattern backtrack catastrophically.
 */

export const REDACTION_TOKENS = {
  email: "[EMAIL]",
  card: "[CARD]",
  iban: "[IBAN]",
  phone: "[PHONE]",
  name: "[NAME]",
} as const;

/** Redact e-mail addresses, IBANs, card numbers, phone numbers and introduced names (in that order). */
export function redact(text: string): string {
  if (text.length === 0) return text;
  let out = text.replace(EMAIL, REDACTION_TOKENS.email);
  out = out.replace(IBAN, redactIban);
  out = out.replace(NUMBER_RUN, redactNumberRun);
  out = out.replace(NAME_INTRO, redactName);
  return out;
}

// --- e-mail ----------------------------------------------------------------------------------

const EMAIL =
  /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}(?![\p{L}\p{N}-])/gu;

// --- IBAN --------------------------------------------------------------------------------------

/** Country code, check digits, then 11–30 alphanumerics, optionally grouped by single spaces. */
const IBAN = /(?<![\p{L}\p{N}])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![\p{L}\p{N}])/gu;

function redactIban(match: string): string {
  // The pattern may run on into an upper-case word after the IBAN ("NL91ABNA0417164300 THANKS").
  // Prefer the longest prefix ending at a group boundary whose ISO 13616 checksum is valid.
  const boundaries: number[] = [match.length];
  for (let i = match.length - 1; i > 0; i--) if (match[i] === " ") boundaries.push(i);
  for (const end of boundaries) {
    const compact = match.slice(0, end).replaceAll(" ", "");
    if (compact.length >= 15 && ibanChecksumValid(compact)) {
      return REDACTION_TOKENS.iban + match.slice(end);
    }
  }
  // No valid checksum: still an IBAN-shaped account number, so still personal data.
  return REDACTION_TOKENS.iban;
}

function ibanChecksumValid(compact: string): boolean {
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const value = code >= 65 ? code - 55 : code - 48; // A=10 … Z=35, 0–9
    remainder = value >= 10 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
  }
  return remainder === 1;
}

// --- card and phone numbers -------------------------------------------------------------------

/** ASCII, Arabic-Indic (U+0660–0669) and Extended Arabic-Indic / Persian (U+06F0–06F9) digits. */
const DIGIT = "[0-9\\u0660-\\u0669\\u06F0-\\u06F9]";
/** Up to two separators between digits: space, no-break space, tab, dot, dash, parentheses. */
const SEPARATOR = "[ \\t\\u00A0\\u202F.\\-()]";

/**
 * A run of digits with separators, optionally led by "+" or "(" . Separators and digits are
 * disjoint, so the repetition is deterministic; the look-behind keeps it from starting mid-word.
 */
const NUMBER_RUN = new RegExp(
  `(?<![\\p{L}\\p{N}_+])\\+?\\(?${DIGIT}(?:${SEPARATOR}{0,2}${DIGIT})*`,
  "gu",
);

const MIN_PHONE_DIGITS = 7;
const DATE_LIKE = /^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})$/;

function redactNumberRun(match: string): string {
  const digits = toAsciiDigits(match.replace(/[^0-9\u0660-\u0669\u06F0-\u06F9]/gu, ""));
  if (looksLikeCard(match, digits)) return REDACTION_TOKENS.card;
  if (digits.length < MIN_PHONE_DIGITS) return match;
  if (DATE_LIKE.test(toAsciiDigits(match))) return match;
  // An opening parenthesis with no closing one belongs to the surrounding text: keep it.
  const lead = match.startsWith("(") && !match.includes(")") ? "(" : "";
  return lead + REDACTION_TOKENS.phone;
}

/** 13–19 digits separated only by spaces or dashes, passing the Luhn check. */
function looksLikeCard(match: string, digits: string): boolean {
  if (digits.length < 13 || digits.length > 19) return false;
  if (!/^[0-9\u0660-\u0669\u06F0-\u06F9 \-]+$/u.test(match)) return false;
  return luhnValid(digits);
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

function toAsciiDigits(text: string): string {
  return text.replace(/[\u0660-\u0669\u06F0-\u06F9]/gu, (ch) => {
    const code = ch.charCodeAt(0);
    return String(code >= 0x06f0 ? code - 0x06f0 : code - 0x0660);
  });
}

// --- names -------------------------------------------------------------------------------------

/** Latin phrases matched case-insensitively (without the `i` flag, which would also fold \p{Lu}). */
const LATIN_INTRODUCTIONS = ["my name is", "this is", "mijn naam is", "ik ben"];
/** Phrases in scripts without case; the longer "أنا اسمي" before its suffix "اسمي". */
const OTHER_INTRODUCTIONS = ["أنا اسمي", "اسمي", "اسم من", "제 이름은", "我的名字是", "我叫"];

function caseInsensitive(phrase: string): string {
  return phrase
    .split(/\s+/)
    .map((word) =>
      [...word].map((ch) => (ch.toLowerCase() !== ch.toUpperCase() ? `[${ch.toLowerCase()}${ch.toUpperCase()}]` : ch)).join(""),
    )
    .join("[ \\t\\u00A0]+");
}

const INTRODUCTION = [
  ...LATIN_INTRODUCTIONS.map(caseInsensitive),
  ...OTHER_INTRODUCTIONS.map((p) => p.split(" ").join("[ \\t\\u00A0]+")),
].join("|");

/** A capitalised word: "Anna", "O'Brien", "Jean-Luc", "Żaneta". */
const CAPITALISED = "\\p{Lu}[\\p{L}\\p{M}'’\\-]*";
/** Lower-case particles allowed between capitalised words of one name ("Jan van der Berg"). */
const PARTICLE = "(?:van|von|der|den|de|del|della|di|da|du|la|le|ten|ter|al|el|bin|ibn|bint)";
/** 1–3 capitalised words, particles in between. */
const CASED_NAME = `${CAPITALISED}(?:[ \\t\\u00A0]+(?:${PARTICLE}[ \\t\\u00A0]+){0,2}${CAPITALISED}){0,2}`;
/** Han, Hiragana, Katakana: no spaces between words, so take up to three characters of a name. */
const HAN_NAME = "[\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}]{1,3}";
/** Any other script without case (Arabic, Persian, Hangul, Hebrew…): the next word. */
const UNCASED_WORD = "[\\p{Lo}\\p{M}]+";

const NAME_INTRO = new RegExp(
  `(?<![\\p{L}\\p{N}])(${INTRODUCTION})([ \\t\\u00A0]*)(?:(${CASED_NAME})|(${HAN_NAME})|(${UNCASED_WORD}))`,
  "gu",
);

function redactName(match: string, phrase: string, space: string): string {
  // Latin-script introductions need a space before the name ("this is Anna", not "this isAnna").
  if (space.length === 0 && /\p{Script=Latin}$/u.test(phrase)) return match;
  return `${phrase}${space}${REDACTION_TOKENS.name}`;
}
