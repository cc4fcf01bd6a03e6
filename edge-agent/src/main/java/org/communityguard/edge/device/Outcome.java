package org.communityguard.edge.device;

/** What became of one device message; the transport answers the device from it. */
public sealed interface Outcome permits Outcome.Accepted, Outcome.Duplicate, Outcome.Rejected {

    /** The sink took the reading: acknowledge the device. */
    record Accepted(Reading reading) implements Outcome {
    }

    /** Already accepted earlier (same seq, or an unchanged status): acknowledge, nothing forwarded. */
    record Duplicate(Reading reading) implements Outcome {
    }

    /** Refused; {@link RejectionAnswers} says how to answer. */
    record Rejected(Rejection rejection) implements Outcome {
    }
}
