package org.communityguard.sim.ledger;

/** Totals over all devices; {@code pending} = sent and not yet settled. */
public record LedgerCounts(long sent, long acknowledged, long rejected, long failed, long pending) {
}
