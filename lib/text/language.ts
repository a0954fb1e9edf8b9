import { words } from "./tokenize.ts";

/**
 * Language of a transcript without a `language` field. Scripts decide most cases (Hangul, Han,
 * Kana); Arabic vs Persian by the letters only Persian uses; Latin-script languages by their most
 * frequent function words. Returns "und" when nothing is known, never a guess dressed as a fact.
 */
const PERSIAN_ONLY = /[\u067E\u0686\u0698\u06AF\u06CC\u06A9]/g; // پ چ ژ گ ی ک
const FUNCTION_WORDS: Record<string, ReadonlySet<string>> = {
  en: new Set("the and is to my i you it of a in that for have this was not can with on be".split(" ")),
  nl: new Set("de het een en is ik je van dat niet mijn in op voor met zijn maar wat er u heb".split(" ")),
  de: new Set("der die das und ist ich nicht ein eine mit mein zu sie es auf für den".split(" ")),
  fr: new Set("le la les et est je pas un une de du mon ma vous que pour dans".split(" ")),
  es: new Set("el la los las y es yo no un una de mi que por para en con".split(" ")),
};

export function detectLanguage(text: string): string {
  const counts = { hangul: 0, han: 0, kana: 0, arabic: 0, latin: 0 };
  for (const ch of text) {
    if (/\p{Script=Hangul}/u.test(ch)) counts.hangul++;
    else if (/\p{Script=Han}/u.test(ch)) counts.han++;
    else if (/[\p{Script=Hiragana}\p{Script=Katakana}]/u.test(ch)) counts.kana++;
    else if (/\p{Script=Arabic}/u.test(ch)) counts.arabic++;
    else if (/\p{Script=Latin}/u.test(ch)) counts.latin++;
  }
  const [script, n] = Object.entries(counts).sort((a, b) => b[1] - a[1])[0]!;
  if (n === 0) return "und";
  if (script === "hangul") return "ko";
  if (script === "kana") return "ja";
  if (script === "han") return counts.kana > 0 ? "ja" : "zh";
  if (script === "arabic") {
    const persian = (text.match(PERSIAN_ONLY) ?? []).length;
    return persian / n > 0.02 ? "fa" : "ar";
  }
  return latinLanguage(text);
}

function latinLanguage(text: string): string {
  const tokens = words(text);
  let best = "und";
  let bestHits = 0;
  for (const [language, vocabulary] of Object.entries(FUNCTION_WORDS)) {
    const hits = tokens.filter((t) => vocabulary.has(t)).length;
    if (hits > bestHits) {
      best = language;
      bestHits = hits;
    }
  }
  return best;
}
