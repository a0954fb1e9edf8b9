import { z } from "zod";
import type { SparseVector } from "../classify/linear-model.ts";
import { SPEAKERS, type Turn } from "../contact/contact.ts";
import { FeatureSettingsSchema } from "../text/features.ts";
import { normaliseText } from "../text/normalise.ts";
import { conceptKey, saltedKey, visitTermKeys } from "../text/term-keys.ts";
import { words } from "../text/tokenize.ts";

/**
 * Features of a repeat chain for the root-cause model, built so that a chain's scores are a sum
 * over its contacts: each contact is read once, at ingest, into a sparse vector; a chain is
 *   [Σ failed contacts] ⊕ [the repeat contact].
 * The vector blocks are index ranges of one feature space: block b holds term i at b·V + i.
 */

/** How a contact becomes features; part of a model artifact, so a model is read with its own settings. */
export const ContactFeaturesSchema = z.object({
  /** Word and character n-grams of each speaker's sentences (lib/text/features.ts). */
  text: FeatureSettingsSchema,
  /** Add the cross-language cue-concept features below ("approval", said by the agent). */
  concepts: z.boolean(),
  /** Their idf is multiplied by this: a handful of concept features against thousands of n-grams. */
  conceptWeight: z.number().positive(),
});
export type ContactFeatures = z.infer<typeof ContactFeaturesSchema>;

/**
 * Who said it matters ("I'm not allowed" from an agent, "I couldn't do it in the app" from a
 * customer): a term's key is salted with its speaker, so each speaker's words are their own features.
 */
const SPEAKER_SALT: Readonly<Record<Turn["speaker"], number>> = { agent: 0x61c88647, customer: 0x3c6ef372, system: 0x27d4eb2f };

/** Concepts are word-block keys in their own namespace: no text's words can produce one. */
const conceptTermKey = (concept: string, speaker: Turn["speaker"]) => saltedKey(conceptKey(`root-cause:${concept}`), SPEAKER_SALT[speaker]);

let conceptKeys: ReadonlySet<number> | undefined;

export function isConceptTerm(key: number): boolean {
  conceptKeys ??= new Set(Object.keys(CUE_CONCEPTS).flatMap((concept) => SPEAKERS.map((speaker) => conceptTermKey(concept, speaker))));
  return conceptKeys.has(key);
}

/** Sentence ends in the six languages (Latin, CJK and Arabic punctuation) and line breaks. */
const SENTENCE_END = /(?<=[.!?。！？؟])\s*|\n+/u;

/** The sentences of a turn, trimmed, empty ones dropped. */
export function sentences(text: string): string[] {
  return text
    .split(SENTENCE_END)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export interface SentenceTerms {
  speaker: Turn["speaker"];
  text: string;
  /** Term key (lib/text/term-keys.ts, salted with the speaker) → count. */
  counts: Map<number, number>;
}

/**
 * Term counts of each sentence of a contact, speaker-salted. Sentences, not turns, are the unit:
 * word n-grams never run across a sentence end, and evidence is quoted sentence by sentence.
 */
export function sentenceTerms(turns: readonly Pick<Turn, "speaker" | "text">[], language: string, features: ContactFeatures): SentenceTerms[] {
  const out: SentenceTerms[] = [];
  for (const turn of turns) {
    const salt = SPEAKER_SALT[turn.speaker];
    for (const text of sentences(turn.text)) {
      const counts = new Map<number, number>();
      visitTermKeys(text, language, features.text, (key) => {
        const salted = saltedKey(key, salt);
        counts.set(salted, (counts.get(salted) ?? 0) + 1);
      });
      if (features.concepts) {
        for (const concept of cueConcepts(text, language)) counts.set(conceptTermKey(concept, turn.speaker), 1);
      }
      if (counts.size > 0) out.push({ speaker: turn.speaker, text, counts });
    }
  }
  return out;
}

/** The term counts of a whole contact: the sum over its sentences. */
export function contactTermCounts(parts: readonly SentenceTerms[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const { counts: c } of parts) for (const [term, n] of c) counts.set(term, (counts.get(term) ?? 0) + n);
  return counts;
}

export interface Vocabulary {
  /** Term keys, ascending. */
  terms: Float64Array;
  /** Smoothed inverse document frequency over training contacts, float32-rounded. */
  idf: Float64Array;
}

/**
 * Terms seen in at least `minDocumentFrequency` training contacts (the rest is noise on a few
 * hundred chains and only bloats the artifact), sorted, with their idf.
 */
export function buildVocabulary(contacts: readonly Map<number, number>[], minDocumentFrequency: number): Vocabulary {
  const df = new Map<number, number>();
  for (const counts of contacts) for (const term of counts.keys()) df.set(term, (df.get(term) ?? 0) + 1);
  const kept = [...df.entries()].filter(([, n]) => n >= minDocumentFrequency).sort((a, b) => a[0] - b[0]);
  const N = contacts.length;
  return {
    terms: Float64Array.from(kept, ([t]) => t),
    idf: Float64Array.from(kept, ([, n]) => Math.fround(Math.log((1 + N) / (1 + n)) + 1)),
  };
}

/** Sums sparse vectors, each shifted to its block (block·size + index). Indices come out sorted. */
export function concatBlocks(parts: readonly { vector: SparseVector; block: number }[], size: number): SparseVector {
  const sum = new Map<number, number>();
  for (const { vector, block } of parts) {
    const offset = block * size;
    for (let j = 0; j < vector.indices.length; j++) {
      const i = offset + vector.indices[j]!;
      sum.set(i, (sum.get(i) ?? 0) + vector.values[j]!);
    }
  }
  const indices = [...sum.keys()].sort((a, b) => a - b);
  return { indices: Int32Array.from(indices), values: Float64Array.from(indices, (i) => sum.get(i)!) };
}

// --- cue concepts -------------------------------------------------------------------------------

/**
 * Cue concepts of SPEC 3.2, shared by the six languages: a phrase of any language adds the same
 * feature ("a:@approval"), so what the model learns about a concept from Korean chains also holds
 * for Dutch ones — each language alone has only a few dozen training chains. The model, not the
 * table, decides what a concept is worth for which cause and role.
 *
 * The phrases were written from the training chains' annotated evidence (never the test split's)
 * and general usage; keep them generic — a phrase that only one chain would say is noise.
 *
 * Matching is on normalised text (lib/text/normalise.ts): English and Dutch phrases match whole
 * words ("*" at the end: any word that starts so); Arabic and Persian phrases match at a word
 * start, after an optional proclitic (و، ب، ال…); Chinese anywhere; Korean anywhere, ignoring
 * spaces (its spacing varies).
 */
export const CUE_CONCEPTS: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  /** The agent may not or cannot do it themselves. */
  no_authority: {
    en: ["not allowed", "aren't allowed", "isn't allowed", "not permitted", "authority", "authoris*", "authoriz*", "override", "from here", "from my end", "from my side", "myself", "won't let me", "no way of", "not something i can", "not something we can", "only they can", "only they", "out of my hands", "i can't", "i cannot", "i'm unable", "i am unable", "not able to", "we can't", "we cannot", "exception"],
    nl: ["mag ik niet", "mag niet", "mogen we niet", "mogen niet", "niet toegestaan", "niet zelf", "zelf niet", "bevoegd*", "kan ik niet", "kunnen we niet", "kan ik dat niet", "niet in mijn", "alleen zij", "enkel zij", "uitzondering"],
    ar: ["صلاحی", "مو عندی", "مش عندی", "مش فی ایدی", "مش بایدی", "مو بیدی", "ما اقدر", "ما بقدر", "ماقدرش", "مقدرش", "ما نقدر", "ما بنقدر", "لا استطیع", "لا یمکننی", "مش مسموح", "غیر مسموح", "لا یسمح", "ممنوع", "ما ینفع", "مش متاح لی", "من عندی", "استثناء", "استثنا"],
    fa: ["اجازه", "دسترسی", "نمی تونم", "نمی تونیم", "نمیتونم", "نمی توانم", "مجاز", "از دست من", "من خودم", "دست ما نیست", "استثنا"],
    ko: ["권한", "제선에서", "제쪽에서", "저희쪽에서", "수없", "수가없", "어렵습니다", "어려워요", "드리기어렵", "불가", "못해드", "못합니다", "할수있는게아니", "있는부분이아니", "예외"],
    zh: ["权限", "没法", "没办法", "不能直接", "不了", "无法", "不能", "不允许", "违规", "例外", "无权"],
  },
  /** Someone else must approve, review or decide. */
  approval: {
    en: ["approv*", "sign off", "signed off", "sign it off", "sign-off", "team leader", "supervisor", "manager", "underwrit*", "review*", "refer*", "agree it", "agreed by", "decide", "decision", "back office", "escalat*", "second-line", "specialist team", "has to agree", "have to agree"],
    nl: ["goedkeur*", "goedgekeurd", "akkoord", "beoordel*", "leidinggevende", "teamleider", "manager", "voorleggen", "toekennen", "beslissing", "beslist", "backoffice", "escal*", "afdeling", "dienst"],
    ar: ["موافق", "یعتمد", "اعتماد", "مشرف", "المدیر", "مدیر", "اللجنه", "مراجعه", "یراجع", "یوقع", "توقیع", "ارفع", "هرفع", "یقرر", "تقرر", "قسم", "فریق", "اداره", "تصعید"],
    fa: ["تایید", "سرپرست", "مدیر", "رئیس", "بررسی", "امضا", "مجوز", "موافقت", "نظر بده", "واحد", "تیم"],
    ko: ["승인", "심사", "검토", "팀장", "지점장", "결재", "심의", "판단", "상급자", "관리자", "이의신청", "담당팀", "팀"],
    zh: ["审批", "审核", "核实", "主管", "班长", "经理", "判定", "核价", "上报", "升级", "部门", "组"],
  },
  /** A rule, policy, process or condition. */
  rule: {
    en: ["policy", "rule", "rules", "process", "procedure", "terms", "conditions", "regulat*", "requirement", "required", "has to be", "have to be", "needs to be", "must be", "can only", "only be", "only once"],
    nl: ["procedure", "beleid", "regel", "regels", "voorwaarden", "reglement", "veiligheidsredenen", "verplicht", "moet eerst", "moet echt", "moeten eerst", "pas als", "pas na", "enkel na", "enige manier"],
    ar: ["سیاسه", "شرط", "شروط", "قانون", "اجراء", "الاجراءات", "حسب النظام", "النظام", "لازم", "یحتاج", "بحاجه", "یجب", "ما یتم", "الا"],
    fa: ["طبق", "قانون", "روال", "دستورالعمل", "ایین نامه", "مقررات", "الزامی", "باید", "فقط با", "فقط از طریق", "منوط", "شرایط"],
    ko: ["규정", "기준상", "기준", "원칙", "절차", "지침", "내부", "정해져", "되어있습니다", "있어야", "해야", "거쳐야", "약관"],
    zh: ["规定", "规则", "制度", "按照", "标准", "流程", "条款", "要求", "必须", "须经", "才能", "需要"],
  },
  /** Paperwork or presence: a form, a signature, in writing, in person, at a branch. */
  paperwork: {
    en: ["form", "in writing", "signed", "signature", "in person", "branch", "photo id", "paperwork", "copy of", "by post", "documents", "certificate", "proof of", "original"],
    nl: ["formulier", "ondertekend", "ondertekenen", "handtekening", "schriftelijk", "per post", "aangetekend*", "kopie", "kantoor", "filiaal", "bewijs", "attest", "akte", "afspraak", "origineel"],
    ar: ["نموذج", "استماره", "الفرع", "خطی", "کتابی", "موقع", "توقیع", "مختوم", "بنفسک", "حضوری", "الهویه", "صوره", "اثبات", "مستند", "ورق", "اصل"],
    fa: ["فرم", "کتبی", "حضوری", "شعبه", "اصل", "مدارک", "امضا", "کارت ملی", "نامه", "سند", "مهر"],
    ko: ["서면", "서류", "신분증", "창구", "방문", "동의서", "신고서", "신청서", "사본", "증명서", "원본", "직접"],
    zh: ["原件", "签字", "面签", "柜台", "网点", "书面", "凭证", "身份证", "本人", "材料", "证明", "申请表"],
  },
  /** A processing time. */
  waiting_time: {
    en: ["working days", "business days", "within", "up to", "hours", "takes about", "waiting"],
    nl: ["werkdagen", "binnen", "wachten", "termijn"],
    ar: ["ایام عمل", "خلال", "ساعه", "انتظار", "بانتظار"],
    fa: ["روز کاری", "روزهای کاری", "ساعت", "مهلت", "منتظر"],
    ko: ["영업일", "이내", "최장", "기간", "대기"],
    zh: ["工作日", "小时", "之内", "以内", "等待", "耐心"],
  },
  /** Earlier information was wrong: a correction. */
  correction: {
    en: ["wrong", "incorrect", "wasn't right", "isn't right", "not right", "wasn't correct", "not correct", "mistake", "mistaken", "mix-up", "mix up", "should have", "shouldn't have", "should've", "didn't need to", "don't need to", "misinform*", "confusion", "misunderstanding", "never", "isn't automatic", "not automatic", "wouldn't have", "instead of", "only works", "nothing to do with", "that's not", "wasn't", "actually", "in fact", "not sure why", "out of date", "outdated"],
    nl: ["verkeerd*", "fout", "foute", "onjuist*", "klopt niet", "klopte niet", "had moeten", "hadden moeten", "niet hoeven", "niet had moeten", "nooit", "u heeft gelijk", "je hebt gelijk", "niet juist", "vergissing", "misverstand", "ten onrechte", "had te horen", "niet automatisch", "niks te maken", "niets te maken", "verouderd*", "eigenlijk"],
    ar: ["غلط", "بالخطا", "المفروض", "کان لازم", "ما تنطبق", "لا تنطبق", "مش صحیح", "غیر صحیح", "مو صحیح", "مش مظبوط", "عمره ما", "ما کان", "لم یکن", "انقالت", "اتقالک", "تتقالک", "من الاول", "فعلا", "قدیم", "معلومه"],
    fa: ["اشتباه", "درست نیست", "درست نبوده", "به روز نبوده", "قدیمی", "لازم نبود", "نبوده", "غلط", "راه حل نیست", "درست گفته", "حساب نشده", "فقط برای"],
    ko: ["잘못", "헷갈", "착오", "아니에요", "아니라", "관계가없", "상관없", "맞고요", "맞습니다", "확인하지못", "안내가됐", "안내드린것", "않아요", "않습니다", "해결이안", "아니고", "예전"],
    zh: ["不对", "说错", "错了", "错误", "不准确", "误会", "没关系", "不应该", "旧的", "老版本", "不是", "没有看", "并不", "不含", "其实"],
  },
  /** The customer or the agent refers to an earlier contact or agent. */
  previous_contact: {
    en: ["colleague", "last time", "on the phone", "the lady", "the man", "the guy", "the agent", "previous", "you were told", "i was told", "you were given", "was given", "they told me", "told me", "said", "rang", "called", "yesterday", "last week", "again"],
    nl: ["collega", "vorige keer", "aan de telefoon", "medewerker", "mij gezegd", "werd gezegd", "gezegd", "zei", "zeiden", "gisteren", "vorige week", "opnieuw", "alweer", "nog steeds"],
    ar: ["الموظف", "زمیل", "قالولی", "قالی", "قالت لی", "قلتو", "قلتوا", "امبارح", "امس", "المره", "اتصلت", "کلمتکم", "مره ثانیه"],
    fa: ["همکار", "کارشناس", "گفتن", "گفته بودن", "گفتین", "دیروز", "دفعه قبل", "بهتون دادن", "قبلا", "زنگ زدم", "تماس گرفتم", "دوباره"],
    ko: ["상담사", "상담원", "지난번", "앞선", "들으신", "안내드린", "안내받", "어제", "그저께", "또", "다시", "말씀하셨"],
    zh: ["同事", "上次", "之前", "上一个", "客服说", "前天", "昨天", "又", "再", "说是", "告诉我"],
  },
  /** Uncertainty. */
  hedge: {
    en: ["i think", "i believe", "not sure", "maybe", "perhaps", "probably", "i'd say", "should be able", "honestly", "haven't come across", "i don't know", "no idea", "i guess", "hmm", "might"],
    nl: ["ik denk", "volgens mij", "misschien", "waarschijnlijk", "weet het niet", "weet ik niet", "niet zeker", "eigenlijk niet", "zou moeten", "denk ik"],
    ar: ["اعتقد", "اظن", "یمکن", "ممکن", "علی الاغلب", "ما ادری", "ما بعرف", "مش عارف", "مش متاکد", "غیر متاکد", "غالبا", "ربما"],
    fa: ["فکر کنم", "فکر نکنم", "فکر می کنم", "شاید", "احتمالا", "مطمئن نیستم", "نمیدونم", "نمی دونم", "معمولا", "راستش"],
    ko: ["아마", "잘모르", "모르겠", "것같아요", "가능성", "정확히는", "보통"],
    zh: ["可能", "应该", "估计", "不太确定", "不确定", "不清楚", "吧", "好像"],
  },
  /** A transfer or a referral elsewhere. */
  transfer: {
    en: ["transfer*", "put you through", "pop you through", "put you straight through", "wrong team", "wrong department", "sent me to", "ring them", "call them", "contact them"],
    nl: ["doorverbind*", "doorverbonden", "doorgestuurd", "doorverwezen", "verkeerde afdeling", "moet ge bij", "moet u bij"],
    ar: ["حولتک", "احولک", "حولنی", "بحولک", "اوصلک", "تحویل المکالمه", "القسم الخطا", "تواصل معهم", "روح علی", "روحی علی"],
    fa: ["منتقل", "وصل می کنم", "وصلتون", "باید برین", "پیگیری کنین"],
    ko: ["이관", "연결해드", "돌려드", "넘겨드", "문의해보", "물어보"],
    zh: ["转接", "转到", "转给", "转错", "问问"],
  },
  /** A self-service channel: app, website, online account, link, button. */
  digital: {
    en: ["app", "website", "online", "web", "page", "button", "link", "tab", "my account", "account page", "portal", "log in", "login", "logins", "screen", "menu", "option", "settings", "code", "download"],
    nl: ["app", "website", "online", "pagina", "knop", "link", "resetlink", "mijn", "inlog*", "scherm", "menu", "instellingen", "internetbankieren", "account", "code", "download*"],
    ar: ["التطبیق", "تطبیق", "الابلکیشن", "ابلکیشن", "الموقع", "الصفحه", "صفحه", "الرابط", "رابط", "اللینک", "لینک", "زرار", "زر ", "الشاشه", "شاشه", "حسابی", "خانه", "اونلاین", "الکترونی", "الکود", "الاعدادات", "تحمیل"],
    fa: ["اپ", "سایت", "پنل", "لینک", "دکمه", "صفحه", "همراه بانک", "پروفایل", "تنظیمات", "گزینه", "بخش", "آنلاین", "انلاین", "دانلود"],
    ko: ["앱", "홈페이지", "링크", "버튼", "화면", "페이지", "메뉴", "온라인", "사이트", "인증", "다운로드", "모바일"],
    zh: ["app", "官网", "页面", "按钮", "链接", "手机银行", "网上", "线上", "界面", "点了", "点进去", "扫码", "下载"],
  },
  /** Self-service failing or missing: an error, nothing happens, no way to do it. */
  broken_self_service: {
    en: ["error", "something went wrong", "not valid", "invalid", "doesn't work", "didn't work", "isn't working", "not working", "expired", "keeps saying", "nothing happens", "stuck", "can't find", "couldn't find", "no way to", "there's no", "locked", "couldn't load", "won't load", "try again later", "doesn't show", "don't show", "not online", "can't be done online", "can't do it online"],
    nl: ["foutmelding", "ging iets mis", "werkt niet", "ongeldig*", "blijft hangen", "gebeurt niks", "gebeurt niets", "vind ik niet", "vind ik geen", "geen knop", "niet mogelijk", "probeer het later", "staat er niks", "staat er niet", "zit er niet in", "komt er geen", "niet online", "laadt niet", "verlopen"],
    ar: ["خطا", "غیر صالح", "منتهی الصلاحیه", "ما بیصیر", "ما یشتغل", "مش شغال", "مش بیشتغل", "عالق", "ما لقیت", "مفیش", "ما فی ", "ما فیه", "حاول لاحقا", "واقفه", "ما بتخلینی", "مش بیعرض", "ما یظهر", "مش ظاهر", "لا یظهر", "ما یفتح"],
    fa: ["خطا", "کار نمی کنه", "منقضی", "در دسترس نیست", "هیچ اتفاقی", "پیدا نکردم", "هیچ جا", "گزینه ای نیست", "نشون نمی ده", "نمی ده", "به روز نمی شه", "باز نمی شه", "راهی ندارم", "راهی برای"],
    ko: ["오류", "에러", "안돼", "안나와", "안나오", "멈춰", "없어요", "유효하지않", "만료", "찾을수없", "뜨고", "떠요", "화면", "결과가없", "표시되지않", "표시되진않", "기능이", "방법", "데가없", "못하고", "안열"],
    zh: ["失败", "没反应", "打不开", "查不了", "查不到", "看不到", "转圈", "不可用", "失效", "异常", "暂无", "不显示", "弄不了", "没更新", "加载", "找不到"],
  },
  /** Calling only to check the status of something. */
  status_check: {
    en: ["just checking", "just calling to", "check whether", "check if", "still shows", "still says", "status", "tracking", "only to check", "wanted to check", "make sure", "has said", "shows"],
    nl: ["even checken", "even navragen", "status", "nog steeds", "nog altijd", "volgen", "wil weten", "staat nog"],
    ar: ["اطمن", "اتاکد", "حاله", "لسه", "للحین", "لسا", "برضه", "برضو", "مکتوب", "بیقول", "یعرض", "اعرف"],
    fa: ["ببینم", "مطمئن شم", "وضعیت", "هنوز", "همون", "می زنه", "نشون می ده", "چک کردن", "بفهمم"],
    ko: ["확인하려고", "상태", "진행", "여전히", "아직", "확인만", "맞는지만", "떠있", "나와서", "조회"],
    zh: ["想问问", "进度", "状态", "还是", "只能再", "只好", "到了没", "了没有", "显示", "查询"],
  },
  /** A cause outside the company's contact centre: outage, weather, strike, third party, defect. */
  external: {
    en: ["outage", "storm", "strike", "fog", "snow", "flood", "weather", "manufacturer", "courier", "third-party", "third party", "provider", "contractor", "supplier", "faulty", "defect*", "batch", "fire", "power", "network", "known issue", "damaged", "recall", "bug", "customs"],
    nl: ["storing", "storm", "staking", "brand", "stroom", "fabrikant", "producent", "vervoerder", "netbeheerder", "aannemer", "defect*", "leverancier", "post", "weer", "sneeuw", "bekend probleem", "douane", "beschadigd"],
    ar: ["عطل", "اعطال", "خلل", "الشبکه", "الشرکه المصنعه", "المصنع", "الجمارک", "مقفول", "اضراب", "عاصفه", "امطار", "ضباب", "الطقس", "شرکه الشحن", "تحدیث", "متاثره", "تاخیر"],
    fa: ["طوفان", "اختلال", "قطعی", "تولیدکننده", "تولید کننده", "پست", "تصادف", "برف", "سیل", "گرد و خاک", "سرور", "شرکت", "خراب", "ایراد", "مشکل کیفی", "کلاهبرداری", "اعتصاب", "گمرک"],
    ko: ["장애", "태풍", "폭우", "폭설", "풍랑", "경보", "파업", "제조", "불량", "결함", "택배사", "업체", "공사", "손상", "카드사", "항공사", "전산", "버전", "현상", "중단"],
    zh: ["故障", "台风", "暴雨", "大雪", "罢工", "升级", "快递公司", "厂家", "暂停", "封闭", "坏了", "弄丢", "银行说", "平台", "系统", "通道", "质量问题"],
  },
  /** The customer's own new situation, plans or information. */
  customer_change: {
    en: ["changed", "change of plans", "instead", "turns out", "remembered", "forgot", "by mistake", "called off", "stolen", "lost", "decided", "my fault", "new", "now"],
    nl: ["ineens", "uiteindelijk", "blijkt", "bleek", "vergeten", "gestolen", "kwijt", "toch", "veranderd", "vertraagd", "opgeschoven", "besloten", "nieuwe", "nu"],
    ar: ["طلعت", "لقیت", "اجل", "قررت", "غیرت", "نسیت", "ضاع", "سرق", "انسرق", "النهارده", "الیوم", "جدید", "تغیر"],
    fa: ["حالا", "عوض شده", "امروز", "یادم", "گرفتم", "خریده", "تصمیم", "دزدیده", "گم شد", "جدید", "منصرف"],
    ko: ["갑자기", "바뀌어서", "잃어버렸", "도난", "변경됐", "결국", "새로", "됐어요", "됐대요", "생겨서"],
    zh: ["后来发现", "结果", "想起来", "说反了", "商量", "今天", "不想", "决定", "丢了", "改主意"],
  },
  /** The agent resolves it now: the contact itself went right. */
  resolved_now: {
    en: ["done", "sorted", "i've put", "i've moved", "i've booked", "booked", "i'll send", "i've sent", "i've raised", "i've added", "i'm raising", "i'm ordering", "on their way", "straight away", "right now", "today"],
    nl: ["geregeld", "gedaan", "ik heb", "ik stuur", "ik zet", "meteen", "vandaag", "in orde"],
    ar: ["تم", "خلاص", "سویت", "عملت", "حجزت", "بعتلک", "ارسلت", "حالا", "الحین", "دلوقتی"],
    fa: ["انجام شد", "انجام دادم", "ثبت کردم", "فرستادم", "الان", "همین الان", "درست شد"],
    ko: ["처리해", "완료", "바로", "지금", "해드렸", "접수해", "보내드"],
    zh: ["已经", "马上", "现在", "给您办", "处理好", "帮您"],
  },
};

const LATIN_MATCH = new Set(["en", "nl"]);
const NO_SPACE_MATCH = new Set(["ko"]);
/** Arabic and Persian phrases start at a word start, after an optional proclitic (و ف ب ل ک, "ال" forms). */
const CLITIC_MATCH = new Set(["ar", "fa"]);
const PROCLITIC = "(?:^|[\\s\\p{P}])(?:و|ف|ب|ل|ک|وال|بال|فال|کال|لل)?";

/** How a sentence is prepared for a phrase: Latin words, no spaces (Korean), or normalised text. */
type Form = "latin" | "unspaced" | "spaced";
type Phrase = { form: Form; text: string; pattern?: RegExp };
type CompiledCues = { concept: string; phrases: Phrase[] }[];
const compiled = new Map<string, CompiledCues>();

function formOf(lang: string): Form {
  return LATIN_MATCH.has(lang) ? "latin" : NO_SPACE_MATCH.has(lang) ? "unspaced" : "spaced";
}

function matchForm(text: string, form: Form): string {
  const normalised = normaliseText(text.replaceAll("’", "'"));
  if (form === "latin") return ` ${words(normalised).join(" ")} `;
  if (form === "unspaced") return normalised.replace(/\s+/g, "");
  return normalised.replace(/\s+/g, " ");
}

/** The phrase table of a language, compiled once (a language without a table gets every table). */
function compiledCues(lang: string): CompiledCues {
  let table = compiled.get(lang);
  if (table) return table;
  table = Object.entries(CUE_CONCEPTS).map(([concept, byLanguage]) => {
    const langs = byLanguage[lang] ? [lang] : Object.keys(byLanguage);
    const phrases = langs.flatMap((l) =>
      byLanguage[l]!.map((raw): Phrase => {
        const form = formOf(l);
        const prefix = raw.endsWith("*");
        const body = prefix ? raw.slice(0, -1) : raw;
        if (form === "latin") return { form, text: matchForm(body, form).trimEnd() + (prefix ? "" : " ") };
        const text = matchForm(body, form).trim();
        if (!CLITIC_MATCH.has(l)) return { form, text };
        return { form, text, pattern: new RegExp(PROCLITIC + text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "u") };
      }),
    );
    return { concept, phrases };
  });
  compiled.set(lang, table);
  return table;
}

/** The cue concepts a sentence expresses, each once. */
export function cueConcepts(sentence: string, language: string): string[] {
  const forms = new Map<Form, string>();
  const prepared = (form: Form) => {
    let text = forms.get(form);
    if (text === undefined) forms.set(form, (text = matchForm(sentence, form)));
    return text;
  };
  const found: string[] = [];
  for (const { concept, phrases } of compiledCues(language.slice(0, 2).toLowerCase())) {
    const hit = phrases.some((p) => (p.pattern ? p.pattern.test(prepared(p.form)) : prepared(p.form).includes(p.text)));
    if (hit) found.push(concept);
  }
  return found;
}
