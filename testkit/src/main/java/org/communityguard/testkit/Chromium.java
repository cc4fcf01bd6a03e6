package org.communityguard.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * A real headless Chromium for the console's browser tests: Debian's {@code chromium} driven by
 * its {@code chromedriver} through Selenium. Both binaries are given to Selenium by path, so
 * Selenium Manager never runs and nothing is downloaded (the test machines have no internet).
 * Every instance has a fresh profile directory, removed at {@link #close()}.
 *
 * <pre>
 * try (Chromium browser = Chromium.start(1280, 800)) {
 *     browser.driver().get(url);
 *     browser.screenshot(Path.of("../docs/screenshots/board.png"));
 * }
 * </pre>
 *
 * {@code TESTKIT_CHROMIUM} and {@code TESTKIT_CHROMEDRIVER} override the binaries'
 * paths ({@code /usr/bin/chromium}, {@code /usr/bin/chromedriver}); {@code deploy/test.sh}
 * installs Debian's {@code chromium} and {@code chromium-driver} when they are missing.
 */
public final class Chromium implements AutoCloseable {

    private final ChromeDriver driver;
    private final Path profile;

    private Chromium(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    public static Chromium start(int width, int height) {
        Path browser = binary("TESTKIT_CHROMIUM", "/usr/bin/chromium");
        Path chromedriver = binary("TESTKIT_CHROMEDRIVER", "/usr/bin/chromedriver");
        Path profile;
        try {
            profile = Files.createTempDirectory("communityguard-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(browser.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-extensions",
                "--force-device-scale-factor=1", "--lang=en-US",
                "--user-data-dir=" + profile, "--window-size=" + width + "," + height);
        // The page's console messages, so a test can insist there were no script errors.
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver.toFile())
                .usingAnyFreePort()
                .build();
        try {
            ChromeDriver driver = new ChromeDriver(service, options);
            driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
            driver.manage().window().setSize(new Dimension(width, height));
            return new Chromium(driver, profile);
        } catch (RuntimeException e) {
            deleteQuietly(profile);
            throw e;
        }
    }

    public ChromeDriver driver() {
        return driver;
    }

    /** Resizes the window, e.g. to a phone's 390 x 844. */
    public void resize(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    /** Writes a PNG of the visible page. */
    public void screenshot(Path file) {
        byte[] png = driver.getScreenshotAs(OutputType.BYTES);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, png);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The page's console messages at SEVERE level since the last call (script errors, failed loads). */
    public List<String> consoleErrors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .toList();
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            deleteQuietly(profile);
        }
    }

    private static Path binary(String variable, String fallback) {
        String configured = System.getenv(variable);
        Path path = Path.of(configured == null || configured.isBlank() ? fallback : configured);
        if (!Files.isExecutable(path)) {
            throw new IllegalStateException(path + " is missing: the console's browser tests need Debian's chromium and"
                    + " chromium-driver (bash deploy/test.sh installs them; or set " + variable + ")");
        }
        return path;
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A leftover profile in the temp directory is harmless.
        }
    }
}
