package org.communityguard.edge.device;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A downlink command of the device profile ("Commands (gateway -> device)"). The gateway adds
 * the {@code id} when it queues one; see {@link DeviceCommands}.
 */
public sealed interface DeviceCommand permits DeviceCommand.Lamp, DeviceCommand.Door, DeviceCommand.Siren {

    /** The {@code cmd} field, also the {@code cmd} tag of {@code edge_commands_sent_total}. */
    String cmd();

    /** Writes the command's fields other than {@code cmd} and {@code id}. */
    void writeFields(ObjectNode body);

    /** {@code {"cmd": "lamp", "on": true, "dim_pct": 100, "flash": false}} */
    record Lamp(boolean on, int dimPct, boolean flash) implements DeviceCommand {
        public Lamp {
            if (dimPct < 0 || dimPct > 100) {
                throw new IllegalArgumentException("dim_pct must be 0..100: " + dimPct);
            }
        }

        @Override
        public String cmd() {
            return "lamp";
        }

        @Override
        public void writeFields(ObjectNode body) {
            body.put("on", on).put("dim_pct", dimPct).put("flash", flash);
        }
    }

    /** {@code {"cmd": "door", "action": "release" | "lock"}} */
    record Door(Action action) implements DeviceCommand {
        public enum Action {
            RELEASE("release"),
            LOCK("lock");

            private final String wireName;

            Action(String wireName) {
                this.wireName = wireName;
            }

            public String wireName() {
                return wireName;
            }
        }

        public Door {
            if (action == null) {
                throw new IllegalArgumentException("action is required");
            }
        }

        @Override
        public String cmd() {
            return "door";
        }

        @Override
        public void writeFields(ObjectNode body) {
            body.put("action", action.wireName());
        }
    }

    /** {@code {"cmd": "siren", "on": true}} */
    record Siren(boolean on) implements DeviceCommand {
        @Override
        public String cmd() {
            return "siren";
        }

        @Override
        public void writeFields(ObjectNode body) {
            body.put("on", on);
        }
    }
}
