package org.communityguard.hub.incident;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IncidentListenerTest {

    @Test
    void aFailingListenerDoesNotKeepTheNewsFromTheOthers() {
        List<String> heard = new ArrayList<>();
        IncidentListener failing = new IncidentListener() {
            @Override
            public void opened(List<IncidentStore.Opened> incidents) {
                throw new IllegalStateException("the live board is down");
            }

            @Override
            public void fireConfirmed(List<FireConfirmation> confirmations) {
                throw new IllegalStateException("the live board is down");
            }
        };
        IncidentListener recording = new IncidentListener() {
            @Override
            public void opened(List<IncidentStore.Opened> incidents) {
                heard.add("opened " + incidents.size());
            }

            @Override
            public void fireConfirmed(List<FireConfirmation> confirmations) {
                heard.add("confirmed " + confirmations.size());
            }
        };
        IncidentListener both = IncidentListener.all(failing, recording);
        both.opened(List.of());
        both.fireConfirmed(List.of());
        assertThat(heard).containsExactly("opened 0", "confirmed 0");
    }
}
