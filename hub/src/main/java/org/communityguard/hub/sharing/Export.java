package org.communityguard.hub.sharing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.communityguard.hub.api.CsvWriter;
import org.communityguard.hub.api.HttpError;
import org.communityguard.hub.api.Request;
import org.communityguard.hub.api.Response;

/** What the open-data exports share: their period and how a CSV file is answered. */
final class Export {

    /**
     * RFC 4180 (CRLF, quoted where needed), UTF-8 without a byte-order mark: these files are for
     * other systems (a portal, a script), whose CSV readers take UTF-8 as it is; the columns are
     * ids, codes, times and numbers.
     */
    static final String CSV_TYPE = "text/csv; charset=utf-8; header=present";

    /** {@code [from, to)}. */
    record Period(Instant from, Instant to) {

        /** The file name of an export of this period: {@code what-2026-03-01-to-2026-04-01.csv}. */
        String fileName(String what) {
            return what + "-" + from.toString().substring(0, 10) + "-to-" + to.toString().substring(0, 10) + ".csv";
        }
    }

    private Export() {
    }

    /** {@code from} and {@code to} (dates or UTC times); by default the {@code span} up to now; at most {@code max}. */
    static Period period(Request req, Duration span, Duration max) {
        Instant to = req.timeParam("to", Instant.now());
        Instant from = req.timeParam("from", to.minus(span));
        if (!from.isBefore(to)) {
            throw HttpError.badRequest("'from' must be before 'to'");
        }
        if (Duration.between(from, to).compareTo(max) > 0) {
            throw HttpError.badRequest("an export spans at most " + max.toDays() + " days; ask for a shorter period");
        }
        return new Period(from, to);
    }

    static Response csv(String fileName, CsvWriter csv) {
        return new Response(200, CSV_TYPE, csv.toString().getBytes(StandardCharsets.UTF_8))
                .withHeader("Content-Disposition", "attachment; filename=\"" + fileName + "\"");
    }

    static String time(Instant t) {
        return t == null ? "" : t.toString();
    }
}
