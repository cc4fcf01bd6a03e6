package org.communityguard.hub.incident.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Set;
import org.communityguard.hub.auth.Role;
import org.junit.jupiter.api.Test;

/** The transition table as pure logic: every action from every state. */
class LifecycleTest {

    private static Status next(Status from, Action action) {
        Lifecycle.Outcome o = Lifecycle.apply(from, action);
        return o instanceof Lifecycle.Allowed a ? a.to() : null;
    }

    @Test
    void theHappyPathRunsFromOpenToClosed() {
        Status s = Status.OPEN;
        for (Action a : new Action[] {Action.DISPATCH, Action.ACKNOWLEDGE, Action.CHECK_IN, Action.RESOLVE, Action.CLOSE}) {
            s = next(s, a);
            assertThat(s).as("after " + a).isNotNull();
        }
        assertThat(s).isEqualTo(Status.CLOSED);
    }

    @Test
    void eachActionIsAllowedFromExactlyItsStates() {
        assertAllowedFrom(Action.DISPATCH, EnumSet.of(Status.OPEN, Status.DISPATCHED, Status.ACKNOWLEDGED, Status.ON_SITE),
                Status.DISPATCHED);
        assertAllowedFrom(Action.ACKNOWLEDGE, EnumSet.of(Status.DISPATCHED), Status.ACKNOWLEDGED);
        assertAllowedFrom(Action.CHECK_IN, EnumSet.of(Status.ACKNOWLEDGED), Status.ON_SITE);
        assertAllowedFrom(Action.RESOLVE, EnumSet.of(Status.ACKNOWLEDGED, Status.ON_SITE), Status.RESOLVED);
        assertAllowedFrom(Action.CLOSE, EnumSet.of(Status.RESOLVED), Status.CLOSED);
        assertAllowedFrom(Action.REOPEN, EnumSet.of(Status.RESOLVED, Status.CLOSED), Status.OPEN);
        assertAllowedFrom(Action.CANCEL, EnumSet.complementOf(EnumSet.of(Status.CLOSED, Status.CANCELLED)), Status.CANCELLED);
    }

    @Test
    void finalStatesOnlyLeaveByReopeningAClosedIncident() {
        for (Action a : Action.values()) {
            assertThat(next(Status.CANCELLED, a)).as(a + " from cancelled").isNull();
            if (a != Action.REOPEN) {
                assertThat(next(Status.CLOSED, a)).as(a + " from closed").isNull();
            }
        }
    }

    @Test
    void aRefusalSaysWhatIsAllowed() {
        Lifecycle.Outcome o = Lifecycle.apply(Status.RESOLVED, Action.ACKNOWLEDGE);

        assertThat(o).isInstanceOf(Lifecycle.Refused.class);
        assertThat(((Lifecycle.Refused) o).message())
                .isEqualTo("cannot acknowledge an incident that is resolved; allowed when it is dispatched");
    }

    @Test
    void everyStatusHasAWireNameTheDatabaseAccepts() {
        for (Status s : Status.values()) {
            assertThat(Status.fromWireName(s.wireName())).contains(s);
        }
        assertThat(Status.ON_SITE.wireName()).isEqualTo("on_site");
        assertThat(Status.fromWireName("bogus")).isEmpty();
    }

    private static void assertAllowedFrom(Action action, Set<Status> from, Status to) {
        for (Status s : Status.values()) {
            if (from.contains(s)) {
                assertThat(next(s, action)).as(action + " from " + s).isEqualTo(to);
            } else {
                assertThat(next(s, action)).as(action + " from " + s).isNull();
            }
        }
    }

    @Test
    void theActionsOfferedAreTheTableRowsForTheStatusAndRole() {
        assertThat(Lifecycle.allowed(Status.DISPATCHED, Role.GRID_WORKER))
                .containsExactly(Action.ACKNOWLEDGE, Action.CANCEL);
        assertThat(Lifecycle.allowed(Status.OPEN, Role.PROPERTY_MANAGER))
                .containsExactly(Action.DISPATCH, Action.CANCEL);
        assertThat(Lifecycle.allowed(Status.RESOLVED, Role.RESIDENT))
                .containsExactly(Action.CLOSE, Action.REOPEN);
        assertThat(Lifecycle.allowed(Status.RESOLVED, Role.AUDITOR)).isEmpty();
        assertThat(Lifecycle.allowed(Role.GRID_WORKER))
                .containsExactly(Action.ACKNOWLEDGE, Action.CHECK_IN, Action.RESOLVE, Action.CANCEL);
    }
}
