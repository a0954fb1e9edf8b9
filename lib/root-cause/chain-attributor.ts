import type { ContactRecord } from "../contact/contact-record.ts";
import type { ChainAttributor } from "../use-cases/link-customer.ts";
import type { RootCauseModel } from "./chain-model.ts";

/**
 * Chain attribution with the trained model, from the summaries stored with each contact. The
 * agent of the contact the repeat follows is recorded for every cause (the report's "repeats
 * caused"); the model's knowledge_gap verdict is what makes it a coaching case.
 */
export function modelAttributor(model: RootCauseModel): ChainAttributor {
  return (failed: readonly ContactRecord[], repeat: ContactRecord) => {
    const previousAgent = failed.at(-1)?.agentId;
    const attribution = model.attribute(
      failed.map((r) => r.rootCauseSummary),
      repeat.rootCauseSummary,
      previousAgent ? [previousAgent] : [],
    );
    return { ...attribution, failedAgents: previousAgent ? [previousAgent] : [] };
  };
}
