package org.communityguard.hub.incident;

import java.util.List;
import org.communityguard.hub.ingest.IncomingReading;

/** One kind of safety check over incoming readings. Rules run on a database writer thread, in per-gateway order. */
public interface IncidentRule {

    /** Adds a candidate to {@code out} for every incident this reading should raise. */
    void evaluate(String gatewayId, IncomingReading reading, List<Candidate> out);
}
