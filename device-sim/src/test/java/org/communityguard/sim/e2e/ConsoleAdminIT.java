package org.communityguard.sim.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.communityguard.testkit.Chromium;
import org.communityguard.testkit.Mosquitto;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console's oversight pages in a real headless Chromium, against a hub and a connected edge
 * agent: a supervisor lands on the supervision dashboard and its CSV download answers; a property
 * manager changes a threshold (a wrong value first: the hub's message shows) and an SLA on the
 * settings page, and makes an API key for an open-data portal there, which reads open data until
 * they revoke it; an auditor finds the changes and the key's use in the audit log and sees the
 * gateway's health on the site map. Screenshots go to docs/screenshots/ like ConsoleIT's.
 */
@ExtendWith(RealServers.class)
class ConsoleAdminIT {

    @Test
    void supervisorPropertyManagerAndAuditorDoTheirWork(TimescaleDb timescale, Mosquitto mosquitto) throws Exception {
        try (Chain chain = new Chain(timescale.createDatabase(), mosquitto);
             Chromium browser = Chromium.start(1280, 1100)) {
            for (String[] user : new String[][] {{"sup1", "supervisor"}, {"pm1", "property_manager"}, {"aud1", "auditor"}}) {
                createUser(chain, user[0], user[1]);
            }
            seedHandledIncidents(chain);

            WebDriver page = browser.driver();
            WebDriverWait wait = new WebDriverWait(page, Duration.ofSeconds(30));
            page.get("http://127.0.0.1:" + chain.hub.httpPort() + "/");

            // The supervisor starts on the dashboard: bars and tables per grid and department, no incident views.
            signIn(page, wait, "sup1");
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#supervision-table-grid tbody tr")));
            assertThat(page.findElements(By.cssSelector("#supervision-report svg.bars"))).hasSize(2);
            assertThat(page.findElement(By.id("supervision-table-grid")).getText()).contains("G1", "G2", "G3", "All");
            assertThat(page.findElement(By.id("supervision-table-department")).getText()).contains("fire", "security");
            assertThat(page.findElement(By.cssSelector("#nav a[data-view='board']")).isDisplayed()).isFalse();
            assertThat(page.findElement(By.cssSelector("#nav a[data-view='supervision']")).getAttribute("aria-current")).isEqualTo("page");
            page.findElement(By.cssSelector("button[data-days='90']")).click();
            wait.until(ExpectedConditions.attributeToBe(By.cssSelector("button[data-days='90']"), "aria-pressed", "true"));
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#supervision-table-grid tbody tr")));
            browser.screenshot(ConsoleIT.SCREENSHOTS.resolve("supervision.png"));
            String csv = (String) ((JavascriptExecutor) page).executeAsyncScript("""
                    const done = arguments[arguments.length - 1];
                    fetch(document.getElementById('supervision-csv-grid').href)
                      .then(async r => done(r.headers.get('content-type') + '|' + r.headers.get('content-disposition') + '|' + await r.text()))
                      .catch(e => done('failed: ' + e));""");
            assertThat(csv).startsWith("text/csv; charset=utf-8; header=present|attachment; filename=\"supervision-by-grid-")
                    // fetch's text() drops the byte-order mark; the hub's own tests check it is sent.
                    .contains("|grid,incidents,false_alarms,", "G1,4,", "(all),12,");
            signOut(page, wait);

            // The property manager: a threshold outside its range is refused with the hub's reason, then saved.
            signIn(page, wait, "pm1");
            page.findElement(By.cssSelector("#nav a[data-view='settings']")).click();
            WebElement flood = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("th-manhole-flood_level_cm")));
            flood.clear();
            flood.sendKeys("9999");
            page.findElement(By.id("thresholds-save")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("thresholds-outcome"), "Not saved"));
            assertThat(page.findElement(By.id("thresholds-outcome")).getText()).contains("manhole.flood_level_cm", "outside");
            flood.clear();
            flood.sendKeys("25");
            page.findElement(By.id("thresholds-save")).click();
            wait.until(ExpectedConditions.textToBe(By.id("thresholds-outcome"), "Saved."));
            WebElement ack = page.findElement(By.cssSelector("#slas-table tr[data-severity='major'] input[name='acknowledge_s']"));
            ack.clear();
            ack.sendKeys("12");
            page.findElement(By.cssSelector("#slas-table tr[data-severity='major'] button")).click();
            wait.until(ExpectedConditions.textToBe(By.id("slas-outcome"), "Saved."));
            assertThat(chain.api("/api/communities/sunny-garden/thresholds").path("thresholds").findParents("key").stream()
                    .filter(t -> t.path("scope").asText().equals("manhole") && t.path("key").asText().equals("flood_level_cm"))
                    .findFirst().orElseThrow().path("value").asInt()).isEqualTo(25);
            assertThat(chain.api("/api/slas").path("policies").findParents("severity").stream()
                    .filter(p -> p.path("severity").asText().equals("major")).findFirst().orElseThrow()
                    .path("acknowledge_s").asInt()).isEqualTo(720);
            ((JavascriptExecutor) page).executeScript("document.getElementById('settings-slas').scrollIntoView()");
            browser.screenshot(ConsoleIT.SCREENSHOTS.resolve("settings.png"));

            // ... and makes an API key for the open-data portal: shown once, it reads open data, until revoked.
            page.findElement(By.cssSelector("#key-form input[name='name']")).sendKeys("Open data portal");
            page.findElement(By.cssSelector("#key-form input[name='owner']")).sendKeys("District data office");
            page.findElement(By.cssSelector("#key-form input[value='opendata:read']")).click();
            page.findElement(By.id("key-create")).click();
            String key = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("key-secret"))).getAttribute("value");
            assertThat(key).startsWith("cgk_");
            WebElement row = page.findElement(By.cssSelector("#keys-table tbody tr.key-active"));
            assertThat(row.getText()).contains("Open data portal", "District data office", "Open-data exports", "active");
            ((JavascriptExecutor) page).executeScript("document.getElementById('settings-keys').scrollIntoView()");
            browser.screenshot(ConsoleIT.SCREENSHOTS.resolve("settings-keys.png"));
            assertThat(withKey(chain, key, "/api/open/incidents").statusCode()).isEqualTo(200);
            row.findElement(By.tagName("button")).click();
            wait.until(ExpectedConditions.alertIsPresent()).accept();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("keys-outcome"), "revoked"));
            assertThat(page.findElement(By.cssSelector("#keys-table tbody tr.key-revoked")).getText()).contains("revoked", "pm1");
            assertThat(withKey(chain, key, "/api/open/incidents").statusCode()).isEqualTo(401);
            // How long each kind of data is kept, read-only, and the hub's run at start.
            assertThat(wait.until(ExpectedConditions.visibilityOfElementLocated(
                    By.cssSelector("#retention-table tr[data-retention='readings']"))).getText())
                    .contains("Readings", "400 days", "retention.readings");
            assertThat(page.findElement(By.cssSelector("#retention-table tr[data-retention='incidents']")).getText())
                    .contains("5 years", "retention.incidents");
            assertThat(page.findElement(By.cssSelector("#retention-table tr[data-retention='personal']")).getText())
                    .contains("180 days", "retention.personal");
            assertThat(page.findElement(By.id("retention-last-run")).getText()).startsWith("Last run").endsWith("done.");
            assertThat(page.findElements(By.cssSelector("#settings-retention input"))).as("set in the configuration").isEmpty();
            signOut(page, wait);

            // The auditor: both changes in the log, by who made them; the gateway's health on the site map.
            signIn(page, wait, "aud1");
            page.findElement(By.cssSelector("#nav a[data-view='audit']")).click();
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#audit-table tr[data-action='sla.put']")));
            WebElement threshold = page.findElement(By.cssSelector("#audit-table tr[data-action='thresholds.put']"));
            assertThat(threshold.getText()).contains("pm1", "community sunny-garden");
            assertThat(page.findElement(By.cssSelector("#audit-table tr[data-action='sla.put']")).getText()).contains("pm1", "major");
            assertThat(page.findElement(By.cssSelector("#audit-table tr[data-action='api_key.create']")).getText())
                    .contains("pm1", "Open data portal", "opendata:read");
            assertThat(page.findElements(By.cssSelector("#audit-table tr[data-action='api_key.use']")).stream()
                    .map(WebElement::getText).toList()).as("the key's read, then its refusal once revoked")
                    .satisfiesExactly(refused -> assertThat(refused).contains("GET /api/open/incidents", "status: 401"),
                            read -> assertThat(read).contains("GET /api/open/incidents", "status: 200"));
            browser.screenshot(ConsoleIT.SCREENSHOTS.resolve("audit.png"));
            page.findElement(By.cssSelector("#nav a[data-view='site']")).click();
            new WebDriverWait(page, Duration.ofSeconds(60)).until(d -> {
                d.findElement(By.cssSelector("#nav a[data-view='site']")).click();
                return !d.findElements(By.cssSelector("#site-gateways tr.gateway-ok[data-gateway='gw-sunny-1']")).isEmpty();
            });
            assertThat(page.findElement(By.cssSelector("#site-gateways tr[data-gateway='gw-sunny-1']")).getText())
                    .contains("connected", "%", "MB");
            ((JavascriptExecutor) page).executeScript("document.getElementById('site-gateways').scrollIntoView(false)");
            browser.screenshot(ConsoleIT.SCREENSHOTS.resolve("site-gateways.png"));

            List<String> errors = browser.consoleErrors().stream()
                    // Expected: the page asks who is signed in before sign-in (401), and the refused threshold (400).
                    .filter(m -> !(m.contains("/api/auth/session") && m.contains("401")))
                    .filter(m -> !(m.contains("/thresholds") && m.contains("400")))
                    .toList();
            assertThat(errors).as("script errors in the page").isEmpty();
        }
    }

    private static HttpResponse<String> withKey(Chain chain, String key, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + chain.hub.httpPort() + path))
                .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void signIn(WebDriver page, WebDriverWait wait, String user) {
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-form")));
        // The browser keeps the last user name in the field, as it would for a person.
        page.findElement(By.id("login-username")).clear();
        page.findElement(By.id("login-username")).sendKeys(user);
        page.findElement(By.id("login-password")).sendKeys(user + "-password");
        page.findElement(By.id("login-submit")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("logout")));
    }

    private static void signOut(WebDriver page, WebDriverWait wait) {
        page.findElement(By.id("logout")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-form")));
    }

    /** Staff accounts as an administrator creates them (POST /api/users answers 201). */
    private static void createUser(Chain chain, String username, String role) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + chain.hub.httpPort();
        String token = new com.fasterxml.jackson.databind.ObjectMapper().readTree(http.send(
                HttpRequest.newBuilder(URI.create(base + "/api/auth/token")).POST(HttpRequest.BodyPublishers.ofString(
                        "{\"username\":\"admin\",\"password\":\"" + Chain.ADMIN_PASSWORD + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).path("token").asText();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/users"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\": \"" + username + "\", \"password\": \"" + username
                        + "-password\", \"role\": \"" + role + "\", \"display_name\": \"" + username + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    /**
     * Twelve incidents of the last weeks, handled as the loop records it (the timeline is what
     * supervision computes from): spread over three grids and four departments, some late
     * (escalated), some reopened, all rated.
     */
    private static void seedHandledIncidents(Chain chain) throws Exception {
        try (Connection c = chain.hub.database().dataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute("""
                    WITH i AS (
                        INSERT INTO incidents (type, severity, status, occurred_at, opened_at, summary)
                        SELECT 'FIRE', 'critical', 'closed', now() - n * interval '2 days', now() - n * interval '2 days',
                               'handled ' || n
                        FROM generate_series(1, 12) AS n
                        RETURNING id, opened_at, substring(summary FROM 9)::int AS n)
                    INSERT INTO incident_timeline (incident_id, at, actor, action, details)
                    SELECT id, opened_at + s.after, 'test', s.action, s.details
                    FROM i, LATERAL (VALUES
                        (interval '0', 'opened', '{}'::jsonb),
                        (interval '1 second', 'dispatched', jsonb_build_object('grid', 'G' || (n % 3 + 1),
                            'department', (ARRAY['fire', 'security', 'electrical', 'municipal'])[n % 4 + 1])),
                        ((n % 7 + 1) * interval '2 minutes', 'acknowledged', '{}'::jsonb),
                        ((n % 5 + 1) * interval '30 minutes', 'resolved', '{}'::jsonb),
                        (interval '4 hours', 'closed', jsonb_build_object('rating', n % 3 + 3))) AS s(after, action, details)
                    UNION ALL
                    SELECT id, opened_at + interval '6 minutes', 'system', 'escalated', '{"step": "acknowledge", "level": 1}'::jsonb
                    FROM i WHERE n % 4 = 0
                    """);
        }
    }
}
