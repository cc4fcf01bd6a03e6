package org.communityguard.sim.site;

/** A site file that cannot be used; the message names the file and the bad entry. */
public class SiteException extends RuntimeException {
    public SiteException(String message) {
        super(message);
    }

    public SiteException(String message, Throwable cause) {
        super(message, cause);
    }
}
