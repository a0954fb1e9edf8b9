import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { RootCause } from "../../lib/contact/contact-record.ts";
import type { Turn } from "../../lib/contact/contact.ts";
import { ConfigurationError } from "../../lib/errors.ts";
import { packModel } from "../../lib/classify/model-file.ts";
import {
  ContactRootCauseSummarySchema,
  parseRootCauseModel,
  readRootCauseChains,
  readRootCauseModel,
  RootCauseModel,
  trainRootCauseModel,
  type RootCauseChain,
} from "../../lib/root-cause/chain-model.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const MODEL_PATH = join(ROOT, "models/root-cause/model.json");
type Line = Pick<Turn, "speaker" | "text">;
const a = (text: string): Line => ({ speaker: "agent", text });
const c = (text: string): Line => ({ speaker: "customer", text });

/** A short chain written for this test: the failed contact(s), then the repeat. */
interface Fixture {
  lang: string;
  cause: RootCause;
  failed: Line[][];
  repeat: Line[];
}

const FIXTURES: Fixture[] = [
  // --- English ---
  {
    lang: "en",
    cause: "procedure_limit",
    failed: [[c("Hi, I'd like the £80 late fee on my account refunded, the payment was only a day late."), a("I understand. I can't waive a fee of that size myself, it needs approval from my team leader. I've sent the request, it takes up to five working days.")]],
    repeat: [c("I called last week about the late fee and I've heard nothing."), a("The request is still waiting for my team leader's sign-off, and I'm not allowed to refund it before that.")],
  },
  {
    lang: "en",
    cause: "knowledge_gap",
    failed: [[c("Can I still return the sofa if it doesn't fit? It's been three weeks."), a("Yes, I think you have 60 days for returns, so you're fine.")]],
    repeat: [c("I was told I had 60 days to return the sofa, but the store refused it today."), a("I'm sorry, you were given the wrong information. Our return period is 30 days, my colleague shouldn't have said 60.")],
  },
  {
    lang: "en",
    cause: "missing_self_service",
    failed: [[c("I'm trying to change my address in the app but the save button just gives me an error."), a("Sorry about that, I've updated the address for you.")]],
    repeat: [c("Now I need my invoice, and the website says something went wrong every time I try to download it."), a("Sorry, invoices can't be downloaded online at the moment, I'll email it to you.")],
  },
  {
    lang: "en",
    cause: "other",
    failed: [[c("I need to move my hotel booking to next Friday, my conference has been moved."), a("No problem, that's moved to Friday the 14th, same room.")]],
    repeat: [c("Hi, me again about the hotel. The organisers have now cancelled the conference altogether, so I need to cancel the room."), a("Of course, that's cancelled with a full refund.")],
  },
  // --- Dutch ---
  {
    lang: "nl",
    cause: "procedure_limit",
    failed: [[c("Ik wil graag een betalingsregeling voor mijn openstaande factuur van 640 euro."), a("Een regeling boven de 500 euro mag ik niet zelf afspreken, dat moet de afdeling debiteuren goedkeuren. U hoort binnen tien werkdagen van ons.")]],
    repeat: [c("Ik heb vorige week gebeld over een betalingsregeling en nog niets gehoord."), a("De aanvraag ligt nog bij debiteuren. Zonder hun akkoord kan ik de regeling niet vastleggen.")],
  },
  {
    lang: "nl",
    cause: "knowledge_gap",
    failed: [[c("Kan ik mijn abonnement kosteloos opzeggen?"), a("Volgens mij kunt u gewoon kosteloos opzeggen, dat is geen probleem.")]],
    repeat: [c("Ik kreeg een factuur van 75 euro opzegkosten, terwijl uw collega zei dat het gratis was."), a("Wat u is verteld klopt niet, in het eerste jaar geldt een opzegvergoeding. Dat had mijn collega moeten zeggen.")],
  },
  {
    lang: "nl",
    cause: "missing_self_service",
    failed: [[c("In de app kan ik mijn meterstand niet invoeren, ik krijg steeds een foutmelding."), a("Vervelend, ik noteer de meterstand voor u.")]],
    repeat: [c("Ik wilde op de website controleren of mijn meterstand binnen is, maar daar staat alleen 'probeer het later opnieuw'."), a("Dat kunt u nu helaas alleen via ons nakijken. Ik zie dat de stand binnen is.")],
  },
  {
    lang: "nl",
    cause: "other",
    failed: [[c("Mijn pakket had gisteren moeten komen, maar er is niets."), a("De vervoerder heeft vertraging door een staking in hun sorteercentrum. Het komt waarschijnlijk morgen.")]],
    repeat: [c("Mijn pakket is er nog steeds niet."), a("De staking bij de vervoerder is verlengd, zij verwachten maandag te leveren. Ik stuur u een bevestiging.")],
  },
  // --- Arabic ---
  {
    lang: "ar",
    cause: "procedure_limit",
    failed: [[c("أبي تلغون رسوم التأخير ٣٠٠ ريال، السداد تأخر يوم واحد بس."), a("أفهمك، بس ما عندي صلاحية ألغي رسوم بهالمبلغ، لازم موافقة المشرف. رفعت الطلب ويحتاج خمسة أيام عمل.")]],
    repeat: [c("اتصلت الأسبوع الماضي بخصوص رسوم التأخير وما صار شي."), a("الطلب للحين بانتظار موافقة المشرف، وما أقدر أرجع المبلغ قبلها.")],
  },
  {
    lang: "ar",
    cause: "knowledge_gap",
    failed: [[c("لو الجهاز ما عجبني أقدر أرجعه؟"), a("أعتقد تقدر ترجعه خلال شهر، ما فيه مشكلة.")]],
    repeat: [c("رحت أرجع الجهاز وقالوا لي المدة أسبوعين بس، والموظف قال لي شهر."), a("آسف، المعلومة اللي انقالت لك غلط، مدة الاسترجاع أسبوعين فقط.")],
  },
  {
    lang: "ar",
    cause: "missing_self_service",
    failed: [[c("أحاول أدفع الفاتورة في التطبيق ويطلع لي خطأ كل مرة."), a("آسفين على الإزعاج، سددت لك الفاتورة من عندي.")]],
    repeat: [c("هالشهر بعد التطبيق يطلع نفس الخطأ، وجربت الموقع والصفحة ما تفتح، ما في أي طريقة أدفع أونلاين."), a("للأسف الدفع أونلاين معطل عند بعض العملاء، أسددها لك الحين.")],
  },
  {
    lang: "ar",
    cause: "other",
    failed: [[c("طلبي متأخر ثلاث أيام."), a("الشحنة واقفة في الميناء بسبب الرياح القوية، ونتوقع توصل بعد يومين.")]],
    repeat: [c("للحين ما وصل الطلب."), a("الميناء سكّر مرة ثانية بسبب العاصفة، وشركة الشحن تقول التوصيل يوم الأحد.")],
  },
  // --- Persian ---
  {
    lang: "fa",
    cause: "procedure_limit",
    failed: [[c("می‌خوام کارمزد انتقالی که ازم کم شده برگرده، ۵۰۰ هزار تومنه."), a("من اجازه ندارم این مبلغ رو برگردونم، باید سرپرست تأیید کنه. درخواست ثبت شد، تا پنج روز کاری طول می‌کشه.")]],
    repeat: [c("هفته‌ی پیش زنگ زدم برای برگشت کارمزد، هنوز خبری نشده."), a("درخواست هنوز منتظر تأیید سرپرسته و من بدون تأیید نمی‌تونم مبلغ رو برگردونم.")],
  },
  {
    lang: "fa",
    cause: "knowledge_gap",
    failed: [[c("می‌تونم تاریخ بلیتم رو رایگان عوض کنم؟"), a("فکر کنم تغییر تاریخ رایگانه، مشکلی نیست.")]],
    repeat: [c("رفتم تاریخ رو عوض کنم، ازم جریمه گرفتن، در حالی که همکارتون گفته بود رایگانه."), a("متأسفم، اطلاعاتی که بهتون دادن اشتباه بوده؛ برای این نوع بلیت تغییر تاریخ جریمه داره.")],
  },
  {
    lang: "fa",
    cause: "missing_self_service",
    failed: [[c("تو اپ می‌خوام آدرسم رو عوض کنم، دکمه‌ی ذخیره کار نمی‌کنه."), a("ببخشید، آدرس‌تون رو از اینجا عوض کردم.")]],
    repeat: [c("حالا می‌خوام فاکتورم رو دانلود کنم، تو سایت هم خطا می‌ده و هیچ جا پیداش نمی‌کنم."), a("فعلاً دانلود فاکتور تو سایت کار نمی‌کنه، براتون ایمیلش می‌کنم.")],
  },
  {
    lang: "fa",
    cause: "other",
    failed: [[c("آب خونه‌مون از صبح قطع شده."), a("لوله‌ی اصلی محله به خاطر سیل ترکیده، اکیپ تعمیرات اعزام شده.")]],
    repeat: [c("هنوز آب وصل نشده."), a("حین تعمیر یه ترکیدگی دیگه هم پیدا کردن، تا فردا ظهر وصل می‌شه.")],
  },
  // --- Korean ---
  {
    lang: "ko",
    cause: "procedure_limit",
    failed: [[c("연체료 5만 원 면제해 주실 수 있나요?"), a("죄송하지만 3만 원이 넘는 감면은 제 권한으로는 안 되고 팀장 승인이 필요합니다. 요청 올려 드렸고 영업일 기준 5일 걸립니다.")]],
    repeat: [c("지난주에 연체료 때문에 전화했는데 아직 연락이 없어요."), a("아직 팀장 승인 대기 중이라 제가 먼저 처리해 드릴 수가 없습니다.")],
  },
  {
    lang: "ko",
    cause: "knowledge_gap",
    failed: [[c("이 요금제 해지하면 위약금 있나요?"), a("아마 위약금은 없을 거예요.")]],
    repeat: [c("해지했더니 위약금 7만 원이 나왔어요. 지난번 상담사분은 없다고 했는데요."), a("죄송합니다, 이전에 잘못 안내해 드렸네요. 약정 기간 안에 해지하시면 위약금이 발생합니다.")],
  },
  {
    lang: "ko",
    cause: "missing_self_service",
    failed: [[c("앱에서 주소 변경을 하려는데 저장 버튼을 누르면 오류가 나요."), a("불편을 드려 죄송합니다. 제가 주소를 변경해 드렸어요.")]],
    repeat: [c("배송 조회를 하려고 홈페이지에 들어갔는데 또 오류가 떠요. 어디서도 확인할 수가 없어요."), a("지금 홈페이지 조회 기능에 문제가 있어서요, 제가 확인해 드릴게요.")],
  },
  {
    lang: "ko",
    cause: "other",
    failed: [[c("택배가 아직 안 왔어요."), a("폭설로 도로가 통제돼서 배송이 지연되고 있습니다.")]],
    repeat: [c("아직도 택배가 안 왔어요."), a("폭설이 계속돼서 택배사 터미널이 오늘도 운영을 중단했다고 합니다.")],
  },
  // --- Chinese ---
  {
    lang: "zh",
    cause: "procedure_limit",
    failed: [[c("我想退那个会员费，三百块。"), a("超过两百的退款我这边没有权限，需要主管审批，我帮您提交申请，三到五个工作日处理。")]],
    repeat: [c("我上周申请的会员费退款，到现在还没消息。"), a("申请还在主管那里审批，审批结果出来之前我没办法直接给您退。")],
  },
  {
    lang: "zh",
    cause: "knowledge_gap",
    failed: [[c("这个手机能用电信卡吗？"), a("应该可以的，全网通都能用。")]],
    repeat: [c("我买回来插了电信卡根本用不了，上次客服说可以的。"), a("非常抱歉，之前给您的信息是错误的，这款是移动定制版，不支持电信卡。")],
  },
  {
    lang: "zh",
    cause: "missing_self_service",
    failed: [[c("我在APP里查不到退款进度，页面一直显示加载失败。"), a("我帮您查了，退款已经在处理中。")]],
    repeat: [c("APP里还是看不到退款进度，官网也查不到，我只能又打电话来问。"), a("抱歉，我帮您看一下，退款今天已经到账了。")],
  },
  {
    lang: "zh",
    cause: "other",
    failed: [[c("我想把宽带安装时间改到周六。"), a("好的，已经帮您改到周六上午。")]],
    repeat: [c("不好意思我又来了，我周六临时要出差，能不能改到下周三？"), a("没问题，已经改到下周三上午了。")],
  },
];

/**
 * Fixtures the shipped model gets wrong. They are reported, not reworded until they pass: each is
 * an `it.fails`, so the day the model gets one right the test says so and it moves back.
 */
const KNOWN_MISSES = new Set<string>([
  // None since root-cause-2026.11.2 was trained on 512 chains ("zh: other", a customer's change
  // of plans, was one before).
]);

let model: RootCauseModel;

beforeAll(async () => {
  model = await readRootCauseModel(MODEL_PATH);
});

function attributeFixture(f: Pick<Fixture, "lang" | "failed" | "repeat">, agents: string[] = []) {
  const failed = f.failed.map((turns) => model.contactSummary(turns, f.lang));
  return model.attribute(failed, model.contactSummary(f.repeat, f.lang), agents);
}

describe("root-cause model: the shipped artifact on readable fixture chains", () => {
  for (const f of FIXTURES) {
    const name = `${f.lang}: ${f.cause}`;
    const test = KNOWN_MISSES.has(name) ? it.fails : it;
    test(name, () => {
      const result = attributeFixture(f, ["agent-1"]);
      expect(result.rootCause).toBe(f.cause);
      expect(result.rootCauseConfidence).toBeGreaterThan(0);
      expect(result.rootCauseConfidence).toBeLessThanOrEqual(1);
      expect(result.failedAgents).toEqual(f.cause === "knowledge_gap" ? ["agent-1"] : []);
    });
  }

  it("quotes redacted evidence sentences of the chosen cause, best first, at most four", () => {
    const result = attributeFixture({
      lang: "en",
      failed: [[c("My name is Harriet Quinn, call me on 07700 900123."), a("I can't waive the fee myself, it needs approval from my team leader.")]],
      repeat: [c("I called last week, my number is 07700 900123, and nothing happened."), a("It is still waiting for approval, I'm not allowed to refund it before that.")],
    });
    expect(result.rootCause).toBe("procedure_limit");
    expect(result.rootCauseEvidence.length).toBeGreaterThan(0);
    expect(result.rootCauseEvidence.length).toBeLessThanOrEqual(4);
    expect(result.rootCauseEvidence.some((e) => /approval|allowed/.test(e.text))).toBe(true);
    for (const e of result.rootCauseEvidence) expect(e.text).not.toMatch(/07700|Harriet/);
  });
});

describe("root-cause model: contact summaries", () => {
  it("are bounded: 8 numbers and at most 4 sentences of at most 300 characters, whatever the length", () => {
    const long = Array.from({ length: 200 }, (_, i) => (i % 2 ? a(`I'm not allowed to do that ${i}, it needs supervisor approval. `.repeat(8)) : c(`The app gives an error again ${i}.`)));
    const summary = model.contactSummary(long, "en");
    expect(ContactRootCauseSummarySchema.parse(summary)).toEqual(summary);
    expect(summary.failed).toHaveLength(4);
    expect(summary.repeat).toHaveLength(4);
    expect(summary.evidence.length).toBeLessThanOrEqual(4);
    for (const e of summary.evidence) expect(e.text.length).toBeLessThanOrEqual(300);
    expect(JSON.stringify(summary).length).toBeLessThan(2_000);
  });

  it("of an abandoned contact (no turns) are zeros with no evidence", () => {
    const summary = model.contactSummary([], "en");
    expect(summary.failed).toEqual([0, 0, 0, 0]);
    expect(summary.repeat).toEqual([0, 0, 0, 0]);
    expect(summary.evidence).toEqual([]);
  });
});

describe("root-cause model: chains", () => {
  it("attributes a chain whose failed contact was abandoned from the repeat's words", () => {
    const repeat = model.contactSummary(
      [
        c("I tried to call yesterday but nobody answered. The reset link in your email says it has expired as soon as I open it, and the app won't let me log in."),
        a("Sorry, the reset link is failing for some customers at the moment. I've unlocked the account from here."),
      ],
      "en",
    );
    const abandoned = model.contactSummary([], "en");
    const withAbandoned = model.attribute([abandoned], repeat, []);
    expect(withAbandoned.rootCause).toBe("missing_self_service");
    expect(withAbandoned).toEqual(model.attribute([], repeat, []));
  });

  it("updates when the chain grows: a third contact with strong cues changes the result or its confidence", () => {
    const first = model.contactSummary([c("I'd like a refund for the broken kettle."), a("Of course, I'll look into it and get back to you.")], "en");
    const second = model.contactSummary([c("I'm calling again about the kettle refund."), a("I can see the request. Let me check what is happening.")], "en");
    const third = model.contactSummary(
      [
        c("This is my third call about the kettle refund."),
        a("I'm not allowed to refund more than £20 myself, it needs approval from the returns manager, and the policy says that takes ten working days."),
      ],
      "en",
    );
    const before = model.attribute([first], second, []);
    const after = model.attribute([first, second], third, []);
    expect(after.rootCause).toBe("procedure_limit");
    expect(after.rootCause !== before.rootCause || after.rootCauseConfidence !== before.rootCauseConfidence).toBe(true);
    if (before.rootCause === "procedure_limit") expect(after.rootCauseConfidence).toBeGreaterThan(before.rootCauseConfidence);
  });

  it("is additive: attributing from summaries gives the scores of the concatenated chain vector", () => {
    for (const f of FIXTURES) {
      const failed = f.failed.map((t) => model.contactSummary(t, f.lang));
      const fromSummaries = model.chainScores(failed, model.contactSummary(f.repeat, f.lang));
      const direct = model.scoreChainTranscripts(f.failed, f.repeat, f.lang);
      for (let k = 0; k < 4; k++) expect(fromSummaries[k]).toBeCloseTo(direct[k]!, 4);
    }
    // Three contacts, one of them abandoned: still the same.
    const f = FIXTURES[0]!;
    const summaries = [[], ...f.failed].map((t) => model.contactSummary(t, f.lang));
    const direct = model.scoreChainTranscripts([[], ...f.failed], f.repeat, f.lang);
    const fromSummaries = model.chainScores(summaries, model.contactSummary(f.repeat, f.lang));
    for (let k = 0; k < 4; k++) expect(fromSummaries[k]).toBeCloseTo(direct[k]!, 4);
  });
});

describe("root-cause model: training and artifact", () => {
  let small: RootCauseChain[];

  beforeAll(async () => {
    // Two languages' training chains: all four causes, small enough to train in a few seconds.
    const data = await readRootCauseChains([join(ROOT, "data/root-causes/en.jsonl"), join(ROOT, "data/root-causes/ko.jsonl")]);
    small = data.chains.filter((chain) => chain.split === "train");
  });

  it("is deterministic: the same data and seed give the same artifact, byte for byte", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    const options = { version: "t", now, settings: { calibrationFolds: 2 } };
    const bytes = (artifact: object) => {
      const { json, binary } = packModel(artifact, "model.bin");
      return `${JSON.stringify(json)}\n${Buffer.from(binary).toString("base64")}`;
    };
    const first = bytes(trainRootCauseModel(small, options));
    expect(bytes(trainRootCauseModel(small, options))).toBe(first);
    expect(bytes(trainRootCauseModel(small, { ...options, settings: { calibrationFolds: 2, seed: 99 } }))).not.toBe(first);
  });

  it("rejects a malformed artifact", async () => {
    const artifact = model.artifact;
    const broken = [
      { ...artifact, format: "recontact.model/v1" },
      { ...artifact, repeatWeights: artifact.repeatWeights.slice(0, 40) },
      { ...artifact, bias: [0, 0, 0] },
      { ...artifact, manifest: { ...artifact.manifest, labels: ["procedure_limit", "knowledge_gap", "missing_self_service", "outage"] } },
      { ...artifact, temperature: 0 },
      "not a model",
    ];
    for (const json of broken) {
      expect(() => parseRootCauseModel(json, "test")).toThrow(ConfigurationError);
    }
    const dir = await mkdtemp(join(tmpdir(), "root-cause-"));
    await writeFile(join(dir, "bad.json"), "{ not json");
    await expect(readRootCauseModel(join(dir, "bad.json"))).rejects.toMatchObject({ code: "INVALID_MODEL" });
    expect(parseRootCauseModel(artifact, "test").version).toBe(model.version);
  });

  it("ships a model card's figures in its manifest", () => {
    const { manifest } = model.artifact;
    expect(manifest.task).toBe("root_cause");
    expect(manifest.trainingData.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.metrics.heldOut?.n).toBeGreaterThan(0);
    expect(manifest.metrics.crossValidation?.n).toBeGreaterThan(0);
  });
});
