package org.communityguard.sim.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.communityguard.sim.SimConfig;
import org.communityguard.sim.Simulation;
import org.communityguard.sim.site.Site;
import org.communityguard.sim.site.SiteLoader;
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
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real headless Chromium, on the whole chain: a property manager signs in, a fire
 * staged by device-sim in building B1 travels through the edge agent and the hub and appears on
 * the board without a reload (server-sent events), with the alarm band; one click marks it seen;
 * its detail shows the timeline; the site map shows B1 in alarm; a device's chart draws its
 * history. Screenshots of each page go to docs/screenshots/ (the README shows them).
 */
@ExtendWith(RealServers.class)
class ConsoleIT {

    static final Path SCREENSHOTS = Path.of("..", "docs", "screenshots");

    @Test
    void fireAppearsLiveAndIsFollowedThroughTheConsole(TimescaleDb timescale, Mosquitto mosquitto) throws Exception {
        Site site = SiteLoader.load(Chain.SITE);
        try (Chain chain = new Chain(timescale.createDatabase(), mosquitto);
             Simulation sim = new Simulation(SimConfig.of(site, mosquitto.tcpUrl(), chain.coapBase())
                     .withInterval(Duration.ZERO));
             Chromium browser = Chromium.start(1280, 860)) {
            sim.start();
            assertThat(sim.awaitConnected(Duration.ofSeconds(30))).isTrue();
            seedWeekOfHistory(chain, "smoke-b1-01");
            sim.sendTelemetryRound();
            sim.sendTelemetryRound();

            WebDriver page = browser.driver();
            WebDriverWait wait = new WebDriverWait(page, Duration.ofSeconds(30));
            page.get("http://127.0.0.1:" + chain.hub.httpPort() + "/");
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-form")));
            browser.screenshot(SCREENSHOTS.resolve("login.png"));

            // Sign in: the session is an HttpOnly cookie, invisible to the page's scripts.
            page.findElement(By.id("login-username")).sendKeys("admin");
            page.findElement(By.id("login-password")).sendKeys(Chain.ADMIN_PASSWORD);
            page.findElement(By.id("login-submit")).click();
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("board-table")));
            wait.until(ExpectedConditions.attributeContains(By.id("live-status"), "class", "live"));
            assertThat(page.findElement(By.id("board-empty")).isDisplayed()).isTrue();
            assertThat(js(page, "return document.cookie")).as("the session cookie is HttpOnly").isEqualTo("");
            js(page, "window.sameDocument = 'no reload since sign-in'");

            // The fire, through device-sim -> edge agent -> hub, pushed to the open page.
            var fire = sim.stageFire("B1");
            WebDriverWait live = new WebDriverWait(page, Duration.ofSeconds(60));
            live.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#board-open tr.critical")));
            assertThat(js(page, "return window.sameDocument")).isEqualTo("no reload since sign-in");
            WebElement alarm = page.findElement(By.id("alarm"));
            assertThat(alarm.isDisplayed()).isTrue();
            assertThat(alarm.getText()).contains("New Fire");
            fire.get();
            assertThat(sim.awaitSettled(Duration.ofSeconds(60))).isTrue();
            int fires = chain.api("/api/board").path("open").size();
            live.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#board-open tr.critical"), fires));
            assertThat(page.getTitle()).startsWith("(" + fires + ") ALARM");
            browser.screenshot(SCREENSHOTS.resolve("board-alarm.png"));

            // One click per incident: the band's "Seen" buttons, until the band is gone.
            for (int i = 0; i < fires; i++) {
                wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("#alarm button.alarm-seen"))).click();
            }
            wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("alarm")));
            assertThat(page.findElements(By.cssSelector("#board-open .seen-mark"))).hasSize(fires);
            assertThat(page.getTitle()).isEqualTo("CommunityGuard");
            browser.screenshot(SCREENSHOTS.resolve("board.png"));

            // The detail: facts, evidence and the timeline from incident_timeline.
            page.findElement(By.cssSelector("#board-open tr.critical a.incident-title")).click();
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#incident-timeline li[data-action='opened']")));
            assertThat(page.findElement(By.id("incident-timeline")).getText()).contains("Opened", "by system");
            assertThat(page.findElement(By.id("incident-evidence")).getText()).contains("Event (Reading)", "Alarm");
            browser.screenshot(SCREENSHOTS.resolve("incident.png"));

            // The site map: B1 in alarm, its burning detectors red.
            page.findElement(By.cssSelector("#nav a[data-view='site']")).click();
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("svg.plan g.building.alarm[data-building='B1']")));
            assertThat(page.findElements(By.cssSelector("svg.plan a.device.alarm"))).hasSize(fires);
            assertThat(page.findElements(By.cssSelector("svg.plan g.building.alarm"))).hasSize(1);
            browser.screenshot(SCREENSHOTS.resolve("site-map.png"));

            // A device: its week of history as a chart.
            page.findElement(By.cssSelector("#site-devices a[href='#/devices/smoke-b1-01']")).click();
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#device-chart svg.chart")));
            page.findElement(By.cssSelector("button[data-range='7d']")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("device-chart"), "one per 60 min"));
            new Select(page.findElement(By.id("chart-field"))).selectByValue("temp_c");
            wait.until(ExpectedConditions.attributeContains(By.cssSelector("#device-chart svg.chart"), "aria-label", "Temperature"));
            browser.resize(1280, 1300);
            browser.screenshot(SCREENSHOTS.resolve("device.png"));
            browser.resize(1280, 860);

            // Chinese, remembered; the board in large text at a phone's width.
            new Select(page.findElement(By.id("lang"))).selectByValue("zh-CN");
            page.findElement(By.cssSelector("#nav a[data-view='board']")).click();
            wait.until(ExpectedConditions.textToBe(By.cssSelector("#view-board h1"), "未关闭的事件"));
            assertThat(page.findElement(By.cssSelector("#board-open tr.critical")).getText()).contains("火警", "紧急");
            browser.screenshot(SCREENSHOTS.resolve("board-zh-cn.png"));
            page.navigate().refresh();
            wait.until(ExpectedConditions.textToBe(By.cssSelector("#view-board h1"), "未关闭的事件"));
            new Select(page.findElement(By.id("lang"))).selectByValue("en");
            page.findElement(By.id("large-text")).click();
            browser.resize(390, 844);
            wait.until(ExpectedConditions.textToBe(By.cssSelector("#view-board h1"), "Open incidents"));
            browser.screenshot(SCREENSHOTS.resolve("board-phone.png"));
            browser.resize(1280, 860);

            page.findElement(By.id("logout")).click();
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-form")));
            page.navigate().refresh();
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-form")));

            List<String> errors = browser.consoleErrors().stream()
                    // Not signed in yet: the page asks who is signed in and is told 401. Expected.
                    .filter(m -> !(m.contains("/api/auth/session") && m.contains("401")))
                    .toList();
            assertThat(errors).as("script errors in the page").isEmpty();
        }
    }

    private static Object js(WebDriver page, String script) {
        return ((JavascriptExecutor) page).executeScript(script);
    }

    /** A week of five-minute readings the gateway delivered before the test began, for the chart. */
    private static void seedWeekOfHistory(Chain chain, String device) throws Exception {
        try (Connection c = chain.hub.database().dataSource().getConnection(); Statement st = c.createStatement()) {
            st.executeUpdate("""
                    INSERT INTO readings (time, received_at, device_ts, gateway_id, device_id, device_type, kind, seq, data)
                    SELECT t, t, t, 'gw-sunny-1', '%s', 'smoke_detector', 'telemetry', NULL,
                           jsonb_build_object(
                               'temp_c', round((21 + 3 * sin(extract(epoch FROM t) / 86400 * 2 * pi())
                                              + (hashtext(t::text) %% 100) / 200.0)::numeric, 2),
                               'smoke_obscuration_pct_m', round((0.2 + abs(hashtext(t::text) %% 10) / 100.0)::numeric, 2),
                               'battery_pct', 90 - extract(epoch FROM now() - t) / 86400 / 7,
                               'rssi_dbm', -85, 'alarm', false, 'tamper', false)
                    FROM generate_series(now() - interval '7 days', now() - interval '10 minutes', interval '5 minutes') AS t
                    """.formatted(device));
        }
    }
}
