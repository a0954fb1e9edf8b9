import type { RootCause } from "../contact/contact-record.ts";
import { normaliseText } from "../text/normalise.ts";

/**
 * Cue phrases of SPEC 3.2's root causes, in the product's six languages. The first version of
 * attribution counts them (a trained chain model replaces this behind the same interface);
 * phrases are matched as substrings of normalised sentences, so they work for CJK without spaces.
 */
const RAW_CUES: Record<Exclude<RootCause, "other">, Record<string, string[]>> = {
  procedure_limit: {
    en: ["not allowed", "not authorised", "not authorized", "i can't authorise", "i can't authorize", "supervisor", "manager approval", "needs approval", "need approval", "approval from", "our policy", "policy says", "the policy", "working days", "in writing", "visit a branch", "escalat", "ticket", "back office", "only the", "department has to", "i'm unable to override", "can't override", "can't do that from here", "not able to do that", "procedure", "form"],
    nl: ["niet toegestaan", "mag ik niet", "mag dat niet", "kan ik niet goedkeuren", "leidinggevende", "goedkeuring", "beleid", "werkdagen", "schriftelijk", "per post", "filiaal", "escal", "ticket", "backoffice", "procedure", "formulier", "andere afdeling moet"],
    ar: ["غير مسموح", "لا يسمح", "ما اقدر", "موافقه", "الموافقه", "المشرف", "المدير", "سياسه", "السياسه", "ايام عمل", "كتابيا", "زياره الفرع", "الفرع", "تذكره", "بلاغ", "تصعيد", "الاجراءات", "اجراء", "نموذج"],
    fa: ["اجازه ندارم", "مجاز نیستم", "اجازه نمیدن", "تایید", "سرپرست", "مدیر", "سیاست", "قانون", "روز کاری", "کتبی", "شعبه", "تیکت", "ارجاع", "پیگیری", "فرم", "روال"],
    ko: ["권한이 없", "권한이 없어", "승인", "상급자", "팀장", "규정", "정책", "영업일", "서면", "지점 방문", "지점에", "접수", "이관", "절차", "양식"],
    zh: ["没有权限", "不允许", "无权", "审批", "审核", "主管", "经理", "规定", "政策", "工作日", "书面", "营业厅", "网点", "工单", "上报", "升级处理", "流程", "申请表"],
  },
  knowledge_gap: {
    en: ["i'm not sure", "i am not sure", "not sure", "i think", "i believe", "should work now", "probably", "let me check", "i don't know", "told me something else", "told me something different", "last agent said", "the other agent", "previous agent", "wrong information", "that's not what", "contradict", "transferred me", "wrong department", "transferred to the wrong", "nobody knew", "didn't know", "gave me wrong"],
    nl: ["weet ik niet", "niet zeker", "ik denk", "volgens mij", "zou nu moeten werken", "waarschijnlijk", "iets anders gezegd", "vorige medewerker", "andere medewerker", "collega zei", "verkeerde informatie", "doorverbonden", "verkeerde afdeling", "wist het niet", "klopt niet wat"],
    ar: ["مش متاكد", "لست متاكد", "غير متاكد", "اعتقد", "اظن", "ربما", "قال لي شي ثاني", "قالي كلام", "الموظف السابق", "موظف ثاني", "معلومات خاطئه", "معلومات غلط", "حولني", "القسم الخطا", "ما يعرف", "لا اعرف"],
    fa: ["مطمئن نیستم", "فکر کنم", "فکر میکنم", "احتمالا", "شاید", "یه چیز دیگه گفت", "چیز دیگه ای گفت", "همکارتون گفت", "کارشناس قبلی", "اطلاعات اشتباه", "اشتباه گفت", "وصل کرد", "بخش اشتباه", "نمیدونم", "نمیدونست"],
    ko: ["잘 모르", "확실하지", "아마", "것 같아요", "것 같습니다", "다르게 말", "다른 말을", "이전 상담사", "지난번 상담사", "전 상담원", "잘못 안내", "잘못된 안내", "연결해 드렸", "다른 부서로", "모르겠"],
    zh: ["不太清楚", "不确定", "我觉得", "应该可以", "可能", "说的不一样", "说法不一样", "上一个客服", "之前的客服", "上次客服", "错误信息", "说错了", "转接", "转错", "不知道"],
  },
  missing_self_service: {
    en: ["in the app", "the app", "on the website", "the website", "online", "portal", "self-service", "self service", "the link", "reset link", "link doesn't work", "link didn't work", "can't find it", "couldn't find", "doesn't show", "does not show", "no option", "status", "tracking", "track", "check the progress", "just calling to check", "my account page"],
    nl: ["in de app", "de app", "op de website", "website", "online", "mijn omgeving", "portaal", "de link", "link werkt niet", "kan het niet vinden", "staat er niet", "geen optie", "status", "track", "volgen", "even checken", "even navragen"],
    ar: ["التطبيق", "الابلكيشن", "الموقع", "اون لاين", "اونلاين", "الرابط", "الرابط ما يشتغل", "ما لقيت", "ما يظهر", "لا يظهر", "حاله الطلب", "تتبع", "البوابه", "الخدمه الذاتيه"],
    fa: ["اپلیکیشن", "اپ", "سایت", "وبسایت", "آنلاین", "انلاین", "لینک", "پیدا نکردم", "نشون نمیده", "نمایش نمیده", "وضعیت", "پیگیری سفارش", "رهگیری", "پنل کاربری"],
    ko: ["앱에서", "앱", "홈페이지", "웹사이트", "온라인", "링크", "링크가 안", "찾을 수가 없", "안 나와", "안 보여", "조회", "배송 조회", "상태", "진행 상황", "셀프"],
    zh: ["app", "APP", "官网", "网站", "网上", "线上", "链接", "找不到", "不显示", "看不到", "查不到", "状态", "进度", "物流信息", "自助"],
  },
};

export type CueTable = { cause: Exclude<RootCause, "other">; cues: string[] }[];

/** Cues per cause for a language (all languages' cues when it is unknown or unsupported). */
export function cuesFor(language: string): CueTable {
  const lang = language.slice(0, 2);
  return (Object.keys(RAW_CUES) as (keyof typeof RAW_CUES)[]).map((cause) => {
    const table = RAW_CUES[cause];
    const cues = table[lang] ?? Object.values(table).flat();
    return { cause, cues: cues.map((c) => normaliseText(c)) };
  });
}
