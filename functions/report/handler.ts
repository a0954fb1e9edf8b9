import { z } from "zod";
import { baseRuntimeFromEnv, type BaseRuntime } from "../../lib/adapters/runtime.ts";
import { isoWeekOf, isWeekLabel } from "../../lib/time/iso-week.ts";
import { expireWaitingTranscripts } from "../../lib/use-cases/expire-waiting.ts";
import { buildWeeklyReport, scheduledWeeks } from "../../lib/use-cases/build-weekly-report.ts";

/** `{ "week": "2026-W47" }` regenerates one week; anything else (the schedule) does the due weeks. */
const ReportEventSchema = z
  .object({ week: z.string().refine(isWeekLabel, "expected an ISO week such as 2026-W47").optional() })
  .loose();

export interface ReportResult {
  weeks: { week: string; contacts: number; provisional: boolean }[];
}

export function createReportHandler(runtime: BaseRuntime) {
  return async (event: unknown): Promise<ReportResult> => {
    const { week } = ReportEventSchema.parse(event ?? {});
    const weeks = week ? [week] : scheduledWeeks(runtime.clock(), runtime.config);
    // Transcripts that waited too long for their contact trace record are quarantined first, so
    // the reports count them.
    if (!week) await expireWaitingTranscripts(runtime, [isoWeekOf(runtime.clock(), runtime.config.timeZone), ...weeks]);
    const results: ReportResult["weeks"] = [];
    for (const w of weeks) {
      const started = performance.now();
      const report = await buildWeeklyReport(w, runtime);
      results.push({ week: w, contacts: report.totals.contacts, provisional: report.provisional });
      runtime.log.log("info", "report written", {
        step: "report",
        week: w,
        contacts: report.totals.contacts,
        provisional: report.provisional,
        durationMs: Math.round(performance.now() - started),
      });
    }
    return { weeks: results };
  };
}

const runtime = process.env.AWS_LAMBDA_FUNCTION_NAME ? baseRuntimeFromEnv(process.env) : undefined;

export const handler = async (event: unknown): Promise<ReportResult> =>
  createReportHandler(runtime ?? baseRuntimeFromEnv(process.env))(event);
