// The dashboard's one state object: what the panels keep between events. Every panel reads and
// writes it here, so nothing else holds module-level mutable state.

import type { BrokerId, Choices, RenewalPushed, RenewFor, TokenView } from "./bindings";

/** A push result a card shows again after a redraw. `offerStart`: a job was (or would be) left
 * paused, so the card offers Push and start. */
export interface CardResult {
  text: string;
  bad: boolean;
  offerStart: boolean;
}

export interface DashboardState {
  /** The tokens as last listed, soonest expiry first. */
  summaries: TokenView[];
  /** When they were listed (`performance.now()`): countdowns count on from core's seconds. */
  listedAt: number;
  /** The brokers and clouds to sign in at, with their words, from the app. */
  choices: Choices | null;
  /** The broker a Renew asked for, when the select cannot name it (a custom broker). */
  renewBroker: BrokerId | null;
  /** The token a "Renew and push" renews: core pushes only if the sign-in gives this one. */
  pushAfterRenewal: RenewFor | null;
  /** Cards with a push (or its plan) in progress: a redraw keeps them as they are. */
  busyCards: Set<string>;
  /** Each card's last push result. */
  lastResults: Map<string, CardResult>;
  /** The card a "Renew and push" sign-in under way will push, until its outcome is handled. */
  pendingRenewal: string | null;
  /** A renewal's push that ended before its card was marked as pushing (the event and the sign-in's
   * outcome are not ordered): shown when the card is marked. */
  earlyRenewals: Map<string, RenewalPushed>;
}

export const state: DashboardState = {
  summaries: [],
  listedAt: 0,
  choices: null,
  renewBroker: null,
  pushAfterRenewal: null,
  busyCards: new Set(),
  lastResults: new Map(),
  pendingRenewal: null,
  earlyRenewals: new Map(),
};

/** A card's key: the same org can have a token from two brokers (sandbox and Webex). */
export function cardKey(org: string, broker: BrokerId): string {
  return `${org} ${JSON.stringify(broker)}`;
}

/** The card of `org`'s token from `broker`, if it is shown. */
export function cardOf(org: string, broker: BrokerId): HTMLElement | null {
  return [...document.querySelectorAll<HTMLElement>(".card")].find((c) => c.dataset.key === cardKey(org, broker)) ?? null;
}
