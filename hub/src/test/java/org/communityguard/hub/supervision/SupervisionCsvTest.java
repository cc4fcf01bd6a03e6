package org.communityguard.hub.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.communityguard.hub.api.Response;
import org.junit.jupiter.api.Test;

class SupervisionCsvTest {

    private static final SupervisionApi.Report REPORT = new SupervisionApi.Report(
            Instant.parse("2020-03-01T00:00:00Z"), Instant.parse("2020-03-02T00:00:00Z"), "grid",
            List.of(new SupervisionApi.Row("G1", 2, 0, 240.0, 384.0, 1200.0, 1740.0, 50.0, 50.0, 3.0, 2),
                    new SupervisionApi.Row("=cmd, \"x\"", 1, 1, null, null, null, null, null, null, null, 0)),
            new SupervisionApi.Row("(all)", 3, 1, 240.0, 384.0, 1200.0, 1740.0, 50.0, 50.0, 3.0, 2));

    @Test
    void oneHeaderOneRowPerUnitThenTheTotal() {
        assertThat(SupervisionCsv.csv(REPORT)).isEqualTo(
                "grid,incidents,false_alarms,mean_acknowledge_s,p90_acknowledge_s,mean_resolve_s,p90_resolve_s,"
                        + "sla_compliance_pct,reopen_rate_pct,mean_rating,ratings\r\n"
                        + "G1,2,0,240,384,1200,1740,50,50,3,2\r\n"
                        + "\"'=cmd, \"\"x\"\"\",1,1,,,,,,,,0\r\n"
                        + "(all),3,1,240,384,1200,1740,50,50,3,2\r\n");
    }

    @Test
    void theFileIsUtf8WithAByteOrderMarkAndANameThatSaysWhatItHolds() {
        Response r = SupervisionCsv.response(REPORT);
        assertThat(r.contentType()).isEqualTo("text/csv; charset=utf-8; header=present");
        assertThat(r.headers().get("Content-Disposition"))
                .isEqualTo("attachment; filename=\"supervision-by-grid-2020-03-01-to-2020-03-02.csv\"");
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(body).startsWith("\uFEFFgrid,incidents,");
    }
}
