import type { Config } from "../config.ts";
import type { Channel } from "../config.ts";
import type { Disposition, Initiation } from "../contact/contact.ts";
import { toZoned } from "../time/iso-week.ts";

/** The facts about a contact that decide its links (SPEC 4); nothing else is looked at. */
export interface LinkInput {
  contactId: string;
  customerKey: string;
  startedAt: string;
  channel: Channel;
  reason: string;
  initiation: Initiation;
  previousContactId?: string | undefined;
  disposition: Disposition;
  agentId?: string | undefined;
  hasAgentTurn: boolean;
}

export type Ineligibility =
  | "channel_excluded"
  | "abandoned"
  | "company_initiated"
  | "transfer_leg"
  | "after_hours_unanswered";

/**
 * Why a contact neither starts nor continues a chain (it still counts as volume), or undefined
 * when it takes part in repeat linking.
 */
export function ineligibility(contact: LinkInput, config: Config): Ineligibility | undefined {
  if (!config.channels.includes(contact.channel)) return "channel_excluded";
  if (contact.disposition === "abandoned") return "abandoned";
  if (contact.initiation === "outbound" || contact.initiation === "callback" || contact.initiation === "queue_callback") {
    return "company_initiated";
  }
  if (contact.initiation === "transfer" && contact.previousContactId) return "transfer_leg";
  if (contact.channel === "voice" && !contact.agentId && !contact.hasAgentTurn && !withinBusinessHours(contact.startedAt, config)) {
    return "after_hours_unanswered";
  }
  return undefined;
}

/** Business hours in the configured time zone, so daylight-saving changes move them correctly. */
export function withinBusinessHours(instant: string, config: Config): boolean {
  const local = toZoned(instant, config.timeZone);
  if (!config.businessHours.days.includes(local.weekday)) return false;
  const minutes = local.hour * 60 + local.minute;
  return minutes >= toMinutes(config.businessHours.start) && minutes < toMinutes(config.businessHours.end);
}

function toMinutes(clock: string): number {
  const [h, m] = clock.split(":").map(Number);
  return h! * 60 + m!;
}
