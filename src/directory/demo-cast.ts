// The demo tenant's first users: subjects on each side of each alert's boundary, for the default
// thresholds (stale sign-in P30D, redundant assignment P30D, 3 activations within PT1H, 3 global
// administrators and 10 %) and the rules of the scanners (src/families/roleManagementAlerts/
// scanners: a moment exactly n days ago is inside the n-day window; roles assigned outside PIM
// are looked for over 30 days). Every demo tenant, of any size, starts with them;
// docs/directory.md lists them with what each alert should make of them.
import { builtInRole } from './catalogue.js';
import { DAY, type DemoBuilder, HOUR, MINUTE } from './demo-builder.js';

export interface CastMember {
  /** The part of the user principal name before the @. */
  alias: string;
  displayName: string;
  /** Milliseconds before now of the last sign-in; null: never signed in. */
  lastSignInAgo: number | null;
  accountEnabled?: false;
  /** What the member demonstrates, as docs/directory.md says it. */
  shows: string;
  /** Holds a privileged role. */
  privileged: boolean;
  give(b: DemoBuilder, userId: string): void;
}

const GA = builtInRole('Global Administrator');
/** The privileged role whose activation policy does not require MFA (NoMfaOnRoleActivationAlert). */
export const NO_MFA_PRIVILEGED_ROLE = builtInRole('Helpdesk Administrator');
/** A non-privileged role without MFA either: outside the alert, which is about privileged roles. */
export const NO_MFA_UNPRIVILEGED_ROLE = builtInRole('Message Center Reader');

/** Activations `gapsMinutes` apart, the last one `lastAgo` before now, each lasting `minutes`. */
const activations = (b: DemoBuilder, userId: string, role: string, lastAgo: number, gapsMinutes: number[], minutes: number) => {
  let at = lastAgo;
  b.activate(userId, builtInRole(role), at, minutes);
  for (const gap of gapsMinutes) b.activate(userId, builtInRole(role), (at += gap * MINUTE), minutes);
};

export const DEMO_CAST: readonly CastMember[] = [
  {
    alias: 'ga.pim.1', displayName: 'Ava Brooks', lastSignInAgo: 1 * DAY, privileged: true,
    shows: 'Global Administrator through PIM (TooManyGlobalAdmins: an incident)',
    give: (b, id) => b.assignThroughPim(id, GA, 400 * DAY),
  },
  {
    alias: 'ga.pim.2', displayName: 'Ben Carter', lastSignInAgo: 3 * HOUR, privileged: true,
    shows: 'Global Administrator through PIM (TooManyGlobalAdmins: an incident)',
    give: (b, id) => b.assignThroughPim(id, GA, 200 * DAY),
  },
  {
    alias: 'ga.outside.pim', displayName: 'Chloe Diaz', lastSignInAgo: 2 * HOUR, privileged: true,
    shows: 'Global Administrator assigned directly 2 days ago (RolesAssignedOutsidePim: inside; TooManyGlobalAdmins: an incident)',
    give: (b, id) => b.assignDirectly(id, GA, 2 * DAY),
  },
  {
    alias: 'direct.400.days', displayName: 'Dev Patel', lastSignInAgo: 5 * DAY, privileged: true,
    shows: 'Password Administrator assigned directly 400 days ago (RolesAssignedOutsidePim: outside, before the 30-day look-back)',
    give: (b, id) => b.assignDirectly(id, builtInRole('Password Administrator'), 400 * DAY),
  },
  {
    alias: 'reader.outside.pim', displayName: 'Elena Fischer', lastSignInAgo: 60 * DAY, privileged: false,
    shows: 'non-privileged roles only: Reports Reader assigned directly 20 days ago, Message Center Reader eligible for 90 days and never activated, last sign-in 60 days ago (RolesAssignedOutsidePim, StaleSignIn, RedundantAssignment: outside)',
    give: (b, id) => {
      b.assignDirectly(id, builtInRole('Reports Reader'), 20 * DAY);
      b.makeEligible(id, NO_MFA_UNPRIVILEGED_ROLE, 90 * DAY);
    },
  },
  {
    alias: 'stale.30.days.1.hour', displayName: 'Farid Haddad', lastSignInAgo: 30 * DAY + HOUR, privileged: true,
    shows: 'User Administrator through PIM, last sign-in 30 days and 1 hour ago (StaleSignIn: inside)',
    give: (b, id) => b.assignThroughPim(id, builtInRole('User Administrator'), 300 * DAY),
  },
  {
    alias: 'signed.in.30.days', displayName: 'Grace Ito', lastSignInAgo: 30 * DAY, privileged: true,
    shows: 'Security Administrator through PIM, last sign-in exactly 30 days ago (StaleSignIn: on the boundary, outside when scanned at the demo\'s now, inside at any later scan)',
    give: (b, id) => b.assignThroughPim(id, builtInRole('Security Administrator'), 300 * DAY),
  },
  {
    alias: 'signed.in.29.days', displayName: 'Hugo Jensen', lastSignInAgo: 29 * DAY, privileged: true,
    shows: 'Security Reader through PIM, last sign-in 29 days ago (StaleSignIn: outside)',
    give: (b, id) => b.assignThroughPim(id, builtInRole('Security Reader'), 300 * DAY),
  },
  {
    alias: 'never.signed.in', displayName: 'Iris Kowalski', lastSignInAgo: null, privileged: true,
    shows: 'Helpdesk Administrator through PIM 45 days ago, never signed in (StaleSignIn: inside)',
    give: (b, id) => b.assignThroughPim(id, NO_MFA_PRIVILEGED_ROLE, 45 * DAY),
  },
  {
    alias: 'new.admin', displayName: 'Jonah Li', lastSignInAgo: null, privileged: true,
    shows: 'Authentication Administrator through PIM and eligible Cloud Device Administrator, both for 10 days, never signed in, never activated (StaleSignIn, RedundantAssignment: outside, held for less than 30 days)',
    give: (b, id) => {
      b.assignThroughPim(id, builtInRole('Authentication Administrator'), 10 * DAY);
      b.makeEligible(id, builtInRole('Cloud Device Administrator'), 10 * DAY);
    },
  },
  {
    alias: 'disabled.admin', displayName: 'Kara Moreno', lastSignInAgo: 90 * DAY, accountEnabled: false, privileged: true,
    shows: 'disabled account, User Administrator through PIM, last sign-in 90 days ago (StaleSignIn: outside, disabled; not counted by TooManyGlobalAdmins)',
    give: (b, id) => b.assignThroughPim(id, builtInRole('User Administrator'), 300 * DAY),
  },
  {
    alias: 'activated.30.days.1.hour', displayName: 'Liam Novak', lastSignInAgo: 1 * DAY, privileged: true,
    shows: 'eligible Privileged Role Administrator, last activation 30 days and 1 hour ago (RedundantAssignment: inside)',
    give: (b, id) => {
      b.makeEligible(id, builtInRole('Privileged Role Administrator'), 180 * DAY);
      activations(b, id, 'Privileged Role Administrator', 30 * DAY + HOUR, [45 * 24 * 60], 480);
    },
  },
  {
    alias: 'activated.30.days', displayName: 'Maya Okafor', lastSignInAgo: 1 * DAY, privileged: true,
    shows: 'eligible Hybrid Identity Administrator, last activation exactly 30 days ago (RedundantAssignment: on the boundary, outside when scanned at the demo\'s now, inside at any later scan)',
    give: (b, id) => {
      b.makeEligible(id, builtInRole('Hybrid Identity Administrator'), 180 * DAY);
      activations(b, id, 'Hybrid Identity Administrator', 30 * DAY, [], 480);
    },
  },
  {
    alias: 'activated.29.days', displayName: 'Noah Petrov', lastSignInAgo: 1 * DAY, privileged: true,
    shows: 'eligible Authentication Administrator, last activation 29 days ago (RedundantAssignment: outside)',
    give: (b, id) => {
      b.makeEligible(id, builtInRole('Authentication Administrator'), 180 * DAY);
      activations(b, id, 'Authentication Administrator', 29 * DAY, [], 480);
    },
  },
  {
    alias: 'never.activated', displayName: 'Olivia Quinn', lastSignInAgo: 4 * HOUR, privileged: true,
    shows: 'eligible Application Administrator for 90 days, never activated (RedundantAssignment: inside)',
    give: (b, id) => b.makeEligible(id, builtInRole('Application Administrator'), 90 * DAY),
  },
  {
    alias: 'three.activations.60.min', displayName: 'Pablo Reyes', lastSignInAgo: 2 * DAY, privileged: true,
    shows: 'eligible Security Operator, 3 activations within exactly 60 minutes two days ago (SequentialActivationRenewals: inside, on the boundary; activationCount 3)',
    give: (b, id) => {
      b.makeEligible(id, builtInRole('Security Operator'), 120 * DAY);
      activations(b, id, 'Security Operator', 2 * DAY, [30, 30], 15);
    },
  },
  {
    alias: 'three.activations.61.min', displayName: 'Rin Sato', lastSignInAgo: 3 * DAY, privileged: true,
    shows: 'eligible Conditional Access Administrator, 3 activations within 61 minutes three days ago (SequentialActivationRenewals: outside)',
    give: (b, id) => {
      b.makeEligible(id, builtInRole('Conditional Access Administrator'), 120 * DAY);
      activations(b, id, 'Conditional Access Administrator', 3 * DAY, [30, 31], 15);
    },
  },
  {
    alias: 'two.activations.10.min', displayName: 'Sofia Torres', lastSignInAgo: 4 * DAY, privileged: true,
    shows: 'eligible Cloud Application Administrator, 2 activations 10 minutes apart four days ago (SequentialActivationRenewals: outside, below the count)',
    give: (b, id) => {
      b.makeEligible(id, builtInRole('Cloud Application Administrator'), 120 * DAY);
      activations(b, id, 'Cloud Application Administrator', 4 * DAY, [10], 5);
    },
  },
  {
    alias: 'active.now', displayName: 'Tomas Varga', lastSignInAgo: 1 * HOUR, privileged: true,
    shows: 'eligible Intune Administrator, activated an hour ago for 8 hours: an activated assignment (via PIM) right now; no incident',
    give: (b, id) => {
      b.makeEligible(id, builtInRole('Intune Administrator'), 200 * DAY);
      b.activateNow(id, builtInRole('Intune Administrator'), 1 * HOUR, 480);
    },
  },
];
