package org.communityguard.hub.incident.lifecycle;

import static org.communityguard.hub.incident.lifecycle.Status.ACKNOWLEDGED;
import static org.communityguard.hub.incident.lifecycle.Status.CANCELLED;
import static org.communityguard.hub.incident.lifecycle.Status.CLOSED;
import static org.communityguard.hub.incident.lifecycle.Status.DISPATCHED;
import static org.communityguard.hub.incident.lifecycle.Status.ON_SITE;
import static org.communityguard.hub.incident.lifecycle.Status.OPEN;
import static org.communityguard.hub.incident.lifecycle.Status.RESOLVED;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.communityguard.hub.auth.Role;

/**
 * The closed loop's transition table, as data: for each action, the states it may start from,
 * the state it leads to and the roles that may take it (the API's routes are registered with
 * these roles; an incident outside what the caller may see is not found anyway). Everything
 * that changes an incident's status asks this table first; the database update then re-checks
 * the status under a row lock.
 *
 * <pre>
 *   open ─dispatch─► dispatched ─acknowledge─► acknowledged ─check-in─► on_site ─resolve─► resolved ─close─► closed
 *    ▲                  ▲ └──────── dispatch (re-dispatch) ◄──┘ ◄───────────┘          │  ▲ resolve (remote fix)
 *    └──────────────────┼──────────────── reopen ◄─────────────────────────────────────┴── from resolved or closed
 *   cancel (false alarm, with a reason): from any state that is not final
 * </pre>
 */
public final class Lifecycle {

    /** One row of the table. */
    public record Transition(Action action, Set<Status> from, Status to, Set<Role> who) {
    }

    private static final Set<Role> MANAGERS = EnumSet.of(Role.ADMIN, Role.PROPERTY_MANAGER);
    private static final Set<Role> STAFF = EnumSet.of(Role.ADMIN, Role.PROPERTY_MANAGER, Role.GRID_WORKER);
    // Residents evaluate: they may close (rate) and reopen their own reports.
    private static final Set<Role> RATERS = EnumSet.of(Role.ADMIN, Role.PROPERTY_MANAGER, Role.RESIDENT);

    public static final List<Transition> TABLE = List.of(
            // Re-dispatch (another responder or department) is allowed until someone is on site and after.
            new Transition(Action.DISPATCH, EnumSet.of(OPEN, DISPATCHED, ACKNOWLEDGED, ON_SITE), DISPATCHED, MANAGERS),
            new Transition(Action.ACKNOWLEDGE, EnumSet.of(DISPATCHED), ACKNOWLEDGED, STAFF),
            new Transition(Action.CHECK_IN, EnumSet.of(ACKNOWLEDGED), ON_SITE, STAFF),
            // From acknowledged too: a gateway restarted remotely, a setting changed, needs nobody on site.
            new Transition(Action.RESOLVE, EnumSet.of(ACKNOWLEDGED, ON_SITE), RESOLVED, STAFF),
            new Transition(Action.CLOSE, EnumSet.of(RESOLVED), CLOSED, RATERS),
            // Back to open: the dispatcher routes it again, to whoever is on duty now.
            new Transition(Action.REOPEN, EnumSet.of(RESOLVED, CLOSED), OPEN, RATERS),
            new Transition(Action.CANCEL, EnumSet.of(OPEN, DISPATCHED, ACKNOWLEDGED, ON_SITE, RESOLVED), CANCELLED, STAFF));

    private static final Map<Action, Transition> BY_ACTION = new EnumMap<>(Action.class);

    static {
        for (Transition t : TABLE) {
            if (BY_ACTION.put(t.action(), t) != null) {
                throw new ExceptionInInitializerError("two rows for " + t.action());
            }
        }
        for (Action a : Action.values()) {
            if (!BY_ACTION.containsKey(a)) {
                throw new ExceptionInInitializerError("no row for " + a);
            }
        }
    }

    private Lifecycle() {
    }

    /** The transition's outcome: the next status, or why the action is not allowed now. */
    public sealed interface Outcome {
    }

    public record Allowed(Status from, Status to) implements Outcome {
    }

    public record Refused(String message) implements Outcome {
    }

    public static Outcome apply(Status current, Action action) {
        Transition t = BY_ACTION.get(action);
        if (t.from().contains(current)) {
            return new Allowed(current, t.to());
        }
        String allowed = t.from().stream().map(Status::wireName).sorted().collect(Collectors.joining(", "));
        return new Refused("cannot " + action.path() + " an incident that is " + current.wireName()
                + "; allowed when it is " + allowed);
    }

    public static Transition transition(Action action) {
        return BY_ACTION.get(action);
    }

    /** What {@code role} may do to an incident in {@code status} (it sees), in the table's order: the console's buttons. */
    public static List<Action> allowed(Status status, Role role) {
        return TABLE.stream().filter(t -> t.from().contains(status) && t.who().contains(role)).map(Transition::action).toList();
    }

    /** What {@code role} may ever do, in the table's order. */
    public static List<Action> allowed(Role role) {
        return Arrays.stream(Action.values()).filter(a -> BY_ACTION.get(a).who().contains(role)).toList();
    }
}
