package org.communityguard.hub.incident;

import java.time.Instant;
import java.util.List;

/**
 * A fire confirmed by a second detector of the same building (docs/incidents.md). Given to
 * {@link IncidentListener#fireConfirmed} after the transaction commits: the moment to tell the
 * building's residents and the fire brigade contact.
 *
 * @param fireIncidentIds the open FIRE incidents of the group, oldest first
 * @param detectorIds     the smoke detectors that alarmed
 * @param newlyConfirmed  true the first time this group is confirmed; false when one more
 *                        detector joins a group that was confirmed before
 */
public record FireConfirmation(long groupId, String communityId, String buildingId, List<Long> fireIncidentIds,
                               List<String> detectorIds, boolean newlyConfirmed, Instant confirmedAt) {

    public FireConfirmation {
        fireIncidentIds = List.copyOf(fireIncidentIds);
        detectorIds = List.copyOf(detectorIds);
    }

    /** Two confirmations of one group in one transaction: the later picture, first if either was first. */
    FireConfirmation merge(FireConfirmation later) {
        return new FireConfirmation(groupId, communityId, buildingId, later.fireIncidentIds, later.detectorIds,
                newlyConfirmed || later.newlyConfirmed, confirmedAt);
    }
}
