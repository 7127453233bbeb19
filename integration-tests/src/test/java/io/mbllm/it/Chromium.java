package io.mbllm.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import io.mbllm.testkit.SharedData;

/**
 * Headless Chromium driven by chromedriver, both from the system (Debian's {@code chromium} and
 * {@code chromium-driver}; {@code .ci/run} installs them). Both paths are given to Selenium, so Selenium Manager
 * never looks for or downloads a browser or driver. Missing binaries fail the test under {@code CI=true} and skip
 * it elsewhere. Override the paths with {@code -Dmbllm.chromium=...} and {@code -Dmbllm.chromedriver=...}.
 */
final class Chromium {
    /** Where screenshots are kept as the test's artifact. */
    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private Chromium() {}

    /** The two binaries, or a failure (CI) / skip (elsewhere) that says how to install them. */
    record Binaries(Path browser, Path driver) {}

    static Binaries require() {
        Path browser = Path.of(System.getProperty("mbllm.chromium", "/usr/bin/chromium"));
        Path driver = Path.of(System.getProperty("mbllm.chromedriver", "/usr/bin/chromedriver"));
        for (Path p : List.of(browser, driver)) {
            if (Files.isExecutable(p)) continue;
            String msg = p + " not found: the web page test needs Debian's chromium and chromedriver "
                    + "(apt-get install -y chromium chromium-driver)";
            if (SharedData.underCi()) fail(msg + " — CI=true, so this is a failure, not a skip");
            Assumptions.abort(msg + " — skipped");
        }
        return new Binaries(browser, driver);
    }

    /** Starts a headless browser with a fresh profile in {@code profile}, its window {@code width x height}. */
    static ChromeDriver start(Binaries bin, Path profile, int width, int height) throws IOException {
        Files.createDirectories(profile);
        System.setProperty("webdriver.chrome.driver", bin.driver().toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(bin.browser().toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=" + width + "," + height,
                "--user-data-dir=" + profile.toAbsolutePath());
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(bin.driver().toFile())
                .usingAnyFreePort()
                .withLogFile(profile.resolveSibling("chromedriver.log").toFile())
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        return driver;
    }

    /** Saves the visible page as {@code target/screenshots/<name>.png}. */
    static Path screenshot(ChromeDriver driver, String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Path out = SCREENSHOTS.resolve(name + ".png");
        Files.copy(shot.toPath(), out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return out;
    }
}
