package org.communityguard.hub.incident;

import java.util.ArrayList;
import java.util.List;

/** What the rules found in one transaction's readings: incidents to open and notes for open ones. */
public final class Findings {

    private final List<Candidate> candidates = new ArrayList<>(0);
    private final List<Note> notes = new ArrayList<>(0);

    public void open(Candidate candidate) {
        candidates.add(candidate);
    }

    public void note(Note note) {
        notes.add(note);
    }

    public List<Candidate> candidates() {
        return candidates;
    }

    public List<Note> notes() {
        return notes;
    }

    public boolean isEmpty() {
        return candidates.isEmpty() && notes.isEmpty();
    }
}
