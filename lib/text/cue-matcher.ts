import { createHash } from "node:crypto";
import { normaliseText } from "./normalise.ts";
import { REASON_CUES } from "./reason-cues.ts";

/** Identifies the phrase table: models record it, and refuse to load with another one. */
export const CUE_LEXICON_VERSION = createHash("sha256").update(JSON.stringify(REASON_CUES)).digest("hex").slice(0, 16);

type CueLanguage = keyof (typeof REASON_CUES)[string];
const LANGUAGES: readonly CueLanguage[] = ["en", "nl", "ar", "fa", "ko", "zh"];
const LATIN = /^\p{Script=Latin}/u;
const WORD_CHARACTER = /[\p{L}\p{N}]/u;

interface TrieNode {
  next: Map<number, TrieNode>;
  concepts: string[];
}

const node = (): TrieNode => ({ next: new Map(), concepts: [] });

/**
 * The phrases of some languages in two character tries: Latin phrases match only at the start of
 * a word ("cancel" in "cancelled", not in "uncancelled"); phrases of Arabic, Persian, Hangul and
 * Han match anywhere (particles and prefixes attach to words there). A text is walked once, each
 * position at most as deep as the longest phrase: a few microseconds, whatever the number of phrases.
 */
class CueTries {
  readonly wordStart = node();
  readonly anywhere = node();

  constructor(languages: readonly CueLanguage[]) {
    for (const [concept, byLanguage] of Object.entries(REASON_CUES)) {
      for (const language of languages) {
        for (const phrase of byLanguage[language]) {
          const normalised = normaliseText(phrase).trim();
          if (normalised) this.add(LATIN.test(normalised) ? this.wordStart : this.anywhere, normalised, concept);
        }
      }
    }
  }

  private add(root: TrieNode, phrase: string, concept: string): void {
    let at = root;
    for (let c = 0; c < phrase.length; c++) {
      const code = phrase.charCodeAt(c);
      let child = at.next.get(code);
      if (!child) at.next.set(code, (child = node()));
      at = child;
    }
    if (!at.concepts.includes(concept)) at.concepts.push(concept);
  }

  match(text: string): string[] {
    const found: string[] = [];
    let previousIsWord = false;
    for (let i = 0; i < text.length; i++) {
      const before = found.length;
      if (!previousIsWord) walk(this.wordStart, text, i, found, before);
      walk(this.anywhere, text, i, found, before);
      previousIsWord = isWordCharacter(text, i);
    }
    return found;
  }
}

/** Adds the concepts of every phrase starting at `i` (once per concept per position). */
function walk(root: TrieNode, text: string, i: number, found: string[], positionStart: number): void {
  let at: TrieNode | undefined = root;
  for (let j = i; j < text.length; j++) {
    at = at.next.get(text.charCodeAt(j));
    if (!at) return;
    for (const concept of at.concepts) if (found.indexOf(concept, positionStart) < 0) found.push(concept);
  }
}

function isWordCharacter(text: string, i: number): boolean {
  const code = text.charCodeAt(i);
  if (code < 128) return (code >= 48 && code <= 57) || (code >= 97 && code <= 122) || (code >= 65 && code <= 90);
  return WORD_CHARACTER.test(text[i]!);
}

const tries = new Map<string, CueTries>();

/** The cue concepts in a normalised text, once per position where a phrase of theirs starts. */
export function cueConcepts(normalisedText: string, language: string | undefined): string[] {
  const lang = language?.slice(0, 2) as CueLanguage | undefined;
  // A known language: its own cues and English ones (customers switch to English words);
  // otherwise every language's.
  const key = lang && LANGUAGES.includes(lang) ? lang : "all";
  let matcher = tries.get(key);
  if (!matcher) tries.set(key, (matcher = new CueTries(key === "all" ? LANGUAGES : lang === "en" ? ["en"] : [lang!, "en"])));
  return matcher.match(normalisedText);
}
