import { ROOT_CAUSES, type RootCause } from "../contact/contact-record.ts";
import type { Recommendation } from "./report-schema.ts";

/**
 * "What to fix first": turns the costliest reason × root-cause cells of a week into plain,
 * specific recommendations. Every default contact reason (SPEC 3.1) has its own topic and action
 * for every root cause (SPEC 3.2): what a procedure limit means for refunds (an authority limit)
 * is not what it means for deliveries (a carrier claim). Reasons of a custom taxonomy fall back to
 * one action per cause.
 */

interface Advice {
  /** What the cell is about, as a manager would name it. */
  readonly topic: string;
  /** What to do about it: a verb phrase, lower-case, no full stop. */
  readonly action: string;
}

type ReasonAdvice = Readonly<Record<RootCause, Advice>>;

const CATALOGUE: Readonly<Record<string, ReasonAdvice>> = {
  billing: {
    procedure_limit: { topic: "Bill disputes", action: "let agents correct or credit a disputed charge up to a set amount instead of raising a back-office ticket" },
    knowledge_gap: { topic: "Bill explanations", action: "give agents a line-by-line guide to the invoice and to the charges customers most often query" },
    missing_self_service: { topic: "Invoice details", action: "customers cannot read their bill online: show every charge with its explanation in the customer account" },
    other: { topic: "Billing", action: "check for a billing-run or tariff error behind these repeats before changing the process" },
  },
  payment: {
    procedure_limit: { topic: "Payment arrangements", action: "let agents agree payment plans and new debit dates without back-office approval" },
    knowledge_gap: { topic: "Payment problems", action: "train agents on failed payments and direct debits: what went wrong and how long each fix takes" },
    missing_self_service: { topic: "Payment status", action: "let customers see whether a payment arrived, and retry a failed one, in the app" },
    other: { topic: "Payments", action: "look for a payment-provider fault (failed debits, double charges) on the dates of these repeats" },
  },
  refund: {
    procedure_limit: { topic: "Refund approvals", action: "consider raising the agent authority limit so a refund is approved in the first contact" },
    knowledge_gap: { topic: "Refund rules", action: "put the refund policy and its payout times on one page agents can quote" },
    missing_self_service: { topic: "Refund status", action: "customers call to ask where their refund is: show its progress and payout date online and notify them when it is paid" },
    other: { topic: "Refunds", action: "check the payout process for delays or errors behind these repeats" },
  },
  order_delivery: {
    procedure_limit: { topic: "Delivery claims", action: "let agents resend or compensate a lost or damaged order without waiting for a carrier investigation" },
    knowledge_gap: { topic: "Delivery questions", action: "give agents the carrier's live tracking and its delivery exception codes explained" },
    missing_self_service: { topic: "Order status", action: "customers cannot see delivery status online: show live tracking and send a notice when an order is late" },
    other: { topic: "Deliveries", action: "check carrier performance and stock shortages for the orders behind these repeats" },
  },
  account_access: {
    procedure_limit: { topic: "Identity checks", action: "review the verification steps that stop agents from unlocking an account during the contact" },
    knowledge_gap: { topic: "Log-in help", action: "give agents a step-by-step script for log-in, two-factor and locked-account cases" },
    missing_self_service: { topic: "Password resets", action: "fix the self-service reset: links that fail or expire send customers back to the phone" },
    other: { topic: "Account access", action: "look for outages of the log-in or code-delivery services on the dates of these repeats" },
  },
  account_change: {
    procedure_limit: { topic: "Account changes", action: "let agents change addresses, plans and products directly instead of asking for a written request" },
    knowledge_gap: { topic: "Plan and detail changes", action: "give agents a checklist per change, with what it does to the bill and the contract" },
    missing_self_service: { topic: "Self-service changes", action: "let customers change their details and plan in the app, with an immediate confirmation" },
    other: { topic: "Account changes", action: "check whether changes get lost or delayed between systems" },
  },
  cancellation: {
    procedure_limit: { topic: "Cancellations", action: "simplify the cancellation rules (notice periods, written requests) so one contact completes it" },
    knowledge_gap: { topic: "Cancellation terms", action: "make sure agents know the notice periods, final bills and retention offers" },
    missing_self_service: { topic: "Online cancellation", action: "offer cancellation online with an immediate written confirmation" },
    other: { topic: "Cancellations", action: "check that cancellations are carried out and that final bills are right" },
  },
  technical_issue: {
    procedure_limit: { topic: "Repairs and replacements", action: "let agents book an engineer or send a replacement without a second diagnosis step" },
    knowledge_gap: { topic: "Troubleshooting", action: "update the troubleshooting guides for the faults that come back most" },
    missing_self_service: { topic: "Service status", action: "publish outage and repair status online and send updates, so customers need not call to check" },
    other: { topic: "Technical faults", action: "send these chains to the product team: a recurring fault or outage needs a fix, not another contact" },
  },
  product_info: {
    procedure_limit: { topic: "Quotes and eligibility", action: "let agents confirm prices and eligibility themselves instead of referring customers to another team" },
    knowledge_gap: { topic: "Product knowledge", action: "keep product, price and eligibility answers current in the agents' knowledge base" },
    missing_self_service: { topic: "Product information", action: "publish complete product, price and eligibility details on the website" },
    other: { topic: "Product questions", action: "check whether a campaign or price change set off these repeat questions" },
  },
  complaint: {
    procedure_limit: { topic: "Complaint resolution", action: "allow agents to settle a complaint and offer goodwill in the first contact" },
    knowledge_gap: { topic: "Complaint handling", action: "coach agents to own a complaint through to its resolution and say what happens next" },
    missing_self_service: { topic: "Complaint follow-up", action: "give customers a case number and let them follow their complaint online" },
    other: { topic: "Complaints", action: "look at the service failures the customers complain about again" },
  },
  fraud_security: {
    procedure_limit: { topic: "Fraud cases", action: "cut the hand-offs: let the first agent block the card, order a new one and open the fraud case" },
    knowledge_gap: { topic: "Fraud procedures", action: "train agents on the fraud and lost-card procedures so customers get one clear answer" },
    missing_self_service: { topic: "Card blocking", action: "let customers block a card and report suspicious activity in the app, at any hour" },
    other: { topic: "Fraud and security", action: "check for an active scam or security incident behind these repeats" },
  },
  other: {
    procedure_limit: { topic: "Other requests", action: "read a sample to find the policy that stops agents from resolving them" },
    knowledge_gap: { topic: "Other requests", action: "read a sample to find the questions agents cannot answer yet" },
    missing_self_service: { topic: "Other requests", action: "read a sample to find the self-service option customers are missing" },
    other: { topic: "Unclassified contacts", action: "read a sample to see whether the reason taxonomy misses a common topic" },
  },
};

/** Reasons outside the default taxonomy: one action per cause. */
const FALLBACK: Readonly<Record<RootCause, string>> = {
  procedure_limit: "review the policy or approval step that keeps agents from resolving it in one contact",
  knowledge_gap: "coach the agents and update the knowledge base for this topic",
  missing_self_service: "offer the missing self-service option (status, change or cancel online)",
  other: "read a sample of these chains to find the cause outside the contact center",
};

const CAUSE_PHRASES: Readonly<Record<RootCause, string>> = {
  procedure_limit: "procedure limits",
  knowledge_gap: "agent knowledge gaps",
  missing_self_service: "missing self-service",
  other: "other causes",
};

export function adviceFor(reason: string, cause: RootCause): Advice {
  const known = Object.hasOwn(CATALOGUE, reason) ? CATALOGUE[reason]![cause] : undefined;
  return known ?? { topic: humaniseReason(reason), action: FALLBACK[cause] };
}

/** "order_delivery" → "Order delivery"; labels from a custom taxonomy stay readable. */
export function humaniseReason(label: string): string {
  const spaced = label.replaceAll("_", " ");
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** One reason × root-cause cell of the week, with what the recommendation may name. */
export interface Cell {
  readonly reason: string;
  readonly rootCause: RootCause;
  readonly repeatContacts: number;
  readonly chains: number;
  readonly cost: number;
  /** The cell's repeats by team of the failed contact. */
  readonly teams: readonly { team: string; repeatContacts: number }[];
  /** Knowledge-gap cells: agents with their knowledge-gap repeats of this reason, most first. */
  readonly agents: readonly { agentId: string; knowledgeGapRepeats: number }[];
}

export const MAX_RECOMMENDATIONS = 5;
const MAX_AGENTS_NAMED = 3;
/** A team is named when its failed contacts hold more than this share of the cell's repeats. */
const TEAM_FOCUS_SHARE = 0.5;

/**
 * The cells worth acting on first: largest cost, then most repeats (a cell's cost is what the
 * repeats cost, so money leads and volume breaks ties), then reason and cause for a stable order.
 */
export function recommend(cells: readonly Cell[], totalRepeats: number, unassignedTeam: string): Recommendation[] {
  return cells
    .filter((c) => c.repeatContacts > 0)
    .toSorted(
      (a, b) =>
        b.cost - a.cost ||
        b.repeatContacts - a.repeatContacts ||
        compareText(a.reason, b.reason) ||
        ROOT_CAUSES.indexOf(a.rootCause) - ROOT_CAUSES.indexOf(b.rootCause),
    )
    .slice(0, MAX_RECOMMENDATIONS)
    .map((cell, i) => {
      const { topic, action } = adviceFor(cell.reason, cell.rootCause);
      const top = cell.teams.find((t) => t.team !== unassignedTeam);
      const team = top && top.repeatContacts / cell.repeatContacts > TEAM_FOCUS_SHARE ? top : null;
      const agents = cell.rootCause === "knowledge_gap" ? cell.agents.slice(0, MAX_AGENTS_NAMED) : [];
      const n = cell.repeatContacts;
      const sentences = [`${topic}: ${count(n)} repeat${n === 1 ? "" : "s"} from ${CAUSE_PHRASES[cell.rootCause]} — ${action}.`];
      if (team) sentences.push(teamSentence(team.team, team.repeatContacts, n));
      if (agents.length) sentences.push(`Coach first: ${agents.map((a) => `${a.agentId} (${count(a.knowledgeGapRepeats)})`).join(", ")}.`);
      return {
        rank: i + 1,
        reason: cell.reason,
        rootCause: cell.rootCause,
        repeatContacts: n,
        chains: cell.chains,
        cost: cell.cost,
        share: totalRepeats === 0 ? null : n / totalRepeats,
        topic,
        action,
        text: sentences.join(" "),
        team: team ? { team: team.team, repeatContacts: team.repeatContacts } : null,
        agents: [...agents],
      };
    });
}

/** Where the repeats failed: "All in team care." / "Mostly in team care (6 of 10)." */
export function teamSentence(team: string, inTeam: number, total: number): string {
  if (inTeam === total) return total === 1 ? `In team ${team}.` : `All in team ${team}.`;
  return `Mostly in team ${team} (${count(inTeam)} of ${count(total)}).`;
}

const counts = new Intl.NumberFormat("en");
const count = (n: number) => counts.format(n);

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
