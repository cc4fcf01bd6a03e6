package org.communityguard.sim.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.communityguard.hub.auth.Role;
import org.communityguard.hub.auth.Users;
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
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real headless Chromium, on the whole chain: a property manager signs in, a fire
 * staged by device-sim in building B1 travels through the edge agent and the hub and appears on
 * the board without a reload (server-sent events), with the alarm band and a countdown to the
 * acknowledge deadline (the routing table dispatches every fire at once); one click on the band
 * acknowledges it, and the open detail's timeline shows that without a reload; the detail takes
 * it on through check-in, resolve and close with a rating; the site map shows B1 in alarm; a
 * device's chart draws its history; a phone report opens an incident; a grid worker's phone shows
 * only their grid's queue. Screenshots of each page go to docs/screenshots/ (the README shows them).
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
            assertThat(liveDisplayed(page, "#board-empty")).isTrue();
            assertThat(js(page, "return document.cookie")).as("the session cookie is HttpOnly").isEqualTo("");
            js(page, "window.sameDocument = 'no reload since sign-in'");

            // The fire, through device-sim -> edge agent -> hub, pushed to the open page.
            var fire = sim.stageFire("B1");
            WebDriverWait live = new WebDriverWait(page, Duration.ofSeconds(60));
            live.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#board-open tr.critical")));
            assertThat(js(page, "return window.sameDocument")).isEqualTo("no reload since sign-in");
            assertThat(liveDisplayed(page, "#alarm")).isTrue();
            assertThat(liveText(page, "#alarm")).contains("New Fire");
            fire.get();
            assertThat(sim.awaitSettled(Duration.ofSeconds(60))).isTrue();
            int fires = chain.api("/api/board").path("open").size();
            live.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#board-open tr.critical"), fires));
            assertThat(page.getTitle()).startsWith("(" + fires + ") ALARM");
            // The routing table dispatches every fire at once: each row counts down to its acknowledge deadline.
            live.until(ExpectedConditions.numberOfElementsToBe(
                    By.cssSelector("#board-open tr.critical button[data-action='acknowledge']"), fires));
            textStartsWith(wait, By.cssSelector("#board-open tr.critical .sla"), "Acknowledge in ");
            browser.screenshot(SCREENSHOTS.resolve("board-alarm.png"));

            // The band's details link: the incident, its actions and its deadlines counting down.
            clickFresh(wait, By.cssSelector("#alarm li a"));
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#incident-actions button[data-action='acknowledge']")));
            long id = Long.parseLong(page.getCurrentUrl().replaceAll(".*#/incidents/", ""));
            assertThat(liveText(page, "#incident-deadlines")).contains("Acknowledge in", "On site in");
            assertThat(liveTexts(page, "#incident-actions button"))
                    .containsExactly("Dispatch again", "Acknowledge", "Cancel as false alarm");
            browser.resize(1280, 1100);
            browser.screenshot(SCREENSHOTS.resolve("incident-actions.png"));
            browser.resize(1280, 860);

            // One click on the band acknowledges it on the hub; the open detail hears it from the live feed.
            clickFresh(wait, By.cssSelector("#alarm li[data-incident='" + id + "'] button.alarm-seen"));
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#incident-timeline li[data-action='acknowledged']")));
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#incident-status[data-status='acknowledged']")));
            assertThat(js(page, "return window.sameDocument")).isEqualTo("no reload since sign-in");
            assertThat(chain.api("/api/incidents/" + id).path("timeline").findValuesAsText("actor")).contains("admin");

            // The others: one click each, until the band is gone.
            // Each click waits until the band shows the previous one's answer, so no incident is clicked twice.
            By seen = By.cssSelector("#alarm button.alarm-seen");
            for (int left = fires - 1; left > 0; left--) {
                wait.until(ExpectedConditions.numberOfElementsToBe(seen, left));
                clickFresh(wait, seen);
            }
            wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("alarm")));
            page.findElement(By.cssSelector("#nav a[data-view='board']")).click();
            wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#board-open .seen-mark"), fires));
            assertThat(page.getTitle()).isEqualTo("CommunityGuard");
            textStartsWith(wait, By.cssSelector("#board-open tr.critical .sla"), "On site in");
            browser.screenshot(SCREENSHOTS.resolve("board.png"));

            // The detail: facts, evidence and the timeline from incident_timeline.
            clickFresh(wait, By.cssSelector("#board-open tr.critical a.incident-title"));
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#incident-timeline li[data-action='opened']")));
            assertThat(liveText(page, "#incident-timeline")).contains("Opened", "by system");
            assertThat(liveText(page, "#incident-evidence")).contains("Event (Reading)", "Alarm");
            browser.screenshot(SCREENSHOTS.resolve("incident.png"));

            // The site map: B1 in alarm, its burning detectors red.
            page.findElement(By.cssSelector("#nav a[data-view='site']")).click();
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("svg.plan g.building.alarm[data-building='B1']")));
            assertThat(page.findElements(By.cssSelector("svg.plan a.device.alarm"))).hasSize(fires);
            assertThat(page.findElements(By.cssSelector("svg.plan g.building.alarm"))).hasSize(1);
            browser.screenshot(SCREENSHOTS.resolve("site-map.png"));

            // A device: its week of history as a chart.
            clickFresh(wait, By.cssSelector("#site-devices a[href='#/devices/smoke-b1-01']"));
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#device-chart svg.chart")));
            page.findElement(By.cssSelector("button[data-range='7d']")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("device-chart"), "one per 60 min"));
            new Select(page.findElement(By.id("chart-field"))).selectByValue("temp_c");
            wait.until(ExpectedConditions.attributeContains(By.cssSelector("#device-chart svg.chart"), "aria-label", "Temperature"));
            browser.resize(1280, 1300);
            browser.screenshot(SCREENSHOTS.resolve("device.png"));
            browser.resize(1280, 860);

            // The first fire through the rest of the loop, from its detail.
            js(page, "location.hash = '#/incidents/" + id + "'");
            clickAction(wait, "check-in");
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#incident-status[data-status='on_site']")));
            clickAction(wait, "resolve");
            page.findElement(By.id("f-resolve-action_taken")).sendKeys("Burnt toast on 2F; detectors reset, stairwell aired");
            page.findElement(By.cssSelector("[data-submit='resolve']")).click();
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#incident-status[data-status='resolved']")));
            clickAction(wait, "close");
            page.findElement(By.cssSelector("input[data-rating='5']")).click();
            page.findElement(By.id("f-close-comment")).sendKeys("On site in six minutes");
            page.findElement(By.cssSelector("[data-submit='close']")).click();
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#incident-status[data-status='closed']")));
            assertThat(liveText(page, "#incident-timeline"))
                    .contains("Checked in on site", "detectors reset", "rating 5/5");
            assertThat(liveTexts(page, "#incident-actions button"))
                    .containsExactly("Reopen");
            browser.resize(1280, 1400);
            browser.screenshot(SCREENSHOTS.resolve("incident-closed.png"));
            browser.resize(1280, 860);

            // A resident without a smartphone calls: staff enter it, and land on the incident it opened.
            page.findElement(By.cssSelector("#nav a[data-view='report']")).click();
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("report-form")));
            new Select(page.findElement(By.id("r-category"))).selectByValue("manhole");
            page.findElement(By.id("r-text")).sendKeys("The cover rocks when cars drive over it");
            new Select(page.findElement(By.id("r-building"))).selectByValue("sunny-garden/B3");
            page.findElement(By.id("r-location")).sendKeys("Road outside B3");
            page.findElement(By.id("r-caller_name")).sendKeys("Grandma Zhao");
            page.findElement(By.id("r-caller_phone")).sendKeys("+86 138 0000 0009");
            browser.screenshot(SCREENSHOTS.resolve("phone-report.png"));
            page.findElement(By.id("report-submit")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("incident-title"), "Reported manhole cover"));
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#incident-status[data-status='dispatched']")));
            assertThat(liveText(page, "#incident-report")).contains("Grandma Zhao", "Phone call");

            // Chinese, remembered; the board in large text at a phone's width.
            new Select(page.findElement(By.id("lang"))).selectByValue("zh-CN");
            page.findElement(By.cssSelector("#nav a[data-view='board']")).click();
            wait.until(ExpectedConditions.textToBe(By.cssSelector("#view-board h1"), "未关闭的事件"));
            assertThat(liveText(page, "#board-open tr.critical")).contains("火警", "紧急");
            browser.screenshot(SCREENSHOTS.resolve("board-zh-cn.png"));
            page.navigate().refresh();
            wait.until(ExpectedConditions.textToBe(By.cssSelector("#view-board h1"), "未关闭的事件"));
            new Select(page.findElement(By.id("lang"))).selectByValue("en");
            page.findElement(By.id("large-text")).click();
            browser.resize(390, 844);
            wait.until(ExpectedConditions.textToBe(By.cssSelector("#view-board h1"), "Open incidents"));
            browser.screenshot(SCREENSHOTS.resolve("board-phone.png"));

            // A grid worker of G1 on their phone: the fires of B1 (grid G1), not the report from B3 (G2).
            Users users = new Users(chain.hub.database().dataSource());
            users.upsert("gw-li", "grid-worker-password", Role.GRID_WORKER);
            try (Connection c = chain.hub.database().dataSource().getConnection(); Statement st = c.createStatement()) {
                st.executeUpdate("UPDATE users SET grid = 'G1' WHERE username = 'gw-li'");
            }
            page.findElement(By.id("logout")).click();
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-form")));
            page.findElement(By.id("login-username")).sendKeys("gw-li");
            page.findElement(By.id("login-password")).sendKeys("grid-worker-password");
            page.findElement(By.id("login-submit")).click();
            int inG1 = (int) chain.api("/api/board").path("open").findValuesAsText("grid").stream().filter("G1"::equals).count();
            assertThat(inG1).as("the fires still open").isEqualTo(fires - 1);
            wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#board-open tr"), inG1));
            assertThat(liveText(page, "#board-open")).contains("Building 1").doesNotContain("Building 3");
            assertThat(page.findElement(By.id("nav-report")).isDisplayed()).isTrue();
            browser.screenshot(SCREENSHOTS.resolve("board-grid-worker-phone.png"));
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

    /** Clicks one of the incident's action buttons (the hub said it is allowed now). */
    private static void clickAction(WebDriverWait wait, String action) {
        clickFresh(wait, By.cssSelector("#incident-actions button[data-action='" + action + "']"));
    }

    /**
     * Finds and clicks in one step, again if the element was replaced in between: the live feed
     * re-renders the alarm band and the board on every event (board.js renderAlarm), so an element
     * found a moment earlier can be gone by the click (a StaleElementReferenceException in a suite
     * run). A stale element takes no click, so trying again never clicks twice.
     */
    private static void clickFresh(WebDriverWait wait, By locator) {
        wait.ignoring(StaleElementReferenceException.class).until(d -> {
            WebElement e = ExpectedConditions.elementToBeClickable(locator).apply(d);
            if (e == null) {
                return false;
            }
            e.click();
            return true;
        });
    }

    /** Waits until a live-rendered element's text starts so, read again whenever it was replaced. */
    private static void textStartsWith(WebDriverWait wait, By locator, String start) {
        wait.ignoring(StaleElementReferenceException.class).until(d -> d.findElement(locator).getText().startsWith(start));
    }

    /**
     * The text of a live-rendered element now, read in one script inside the page. Finding an
     * element and reading it are two browser round trips, and the live feed may replace the element
     * in between (see {@link #clickFresh}; the incident detail re-renders when the feed reports the
     * change the page itself just made); one script cannot see half a rendering.
     */
    private static String liveText(WebDriver page, String css) {
        return (String) js(page, "return document.querySelector(arguments[0]).innerText", css);
    }

    /** The texts of all elements matching, from one rendering (see {@link #liveText}). */
    @SuppressWarnings("unchecked")
    private static List<String> liveTexts(WebDriver page, String css) {
        return (List<String>) js(page, "return Array.from(document.querySelectorAll(arguments[0]), e => e.innerText)", css);
    }

    /** Whether a live-rendered element is displayed now (see {@link #liveText}). */
    private static boolean liveDisplayed(WebDriver page, String css) {
        return (Boolean) js(page, "return document.querySelector(arguments[0]).checkVisibility()", css);
    }

    private static Object js(WebDriver page, String script, Object... args) {
        return ((JavascriptExecutor) page).executeScript(script, args);
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
