package io.promptq.cli.console;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operator console in a real headless Chromium, driven through the system's chromedriver (Debian's
 * {@code chromium} and {@code chromium-driver}; nothing is downloaded). {@link #assumeInstalled()} skips a test,
 * naming the missing binary, where they are absent. Paths can be moved with {@code PROMPTQ_CHROMIUM} and
 * {@code PROMPTQ_CHROMEDRIVER}.
 */
public final class ConsoleBrowser implements AutoCloseable {

    /** Chromium's executable. */
    public static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("PROMPTQ_CHROMIUM", "/usr/bin/chromium"));
    /** The chromedriver matching it. */
    public static final Path CHROMEDRIVER = Path.of(System.getenv().getOrDefault("PROMPTQ_CHROMEDRIVER", "/usr/bin/chromedriver"));
    /** Where {@link #screenshot} writes. */
    public static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
    /** How long a view may take to show what a test waits for, on a loaded machine. */
    public static final Duration PATIENCE = Duration.ofSeconds(60);

    private final ChromeDriverService service;
    private final ChromeDriver driver;
    private final URI console;

    private ConsoleBrowser(ChromeDriverService service, ChromeDriver driver, URI console) {
        this.service = service;
        this.driver = driver;
        this.console = console;
    }

    /** Skips the calling test (a JUnit assumption naming the binary) unless Chromium and chromedriver are installed. */
    public static void assumeInstalled() {
        for (Path binary : List.of(CHROMIUM, CHROMEDRIVER)) {
            assumeTrue(Files.isExecutable(binary), () -> "skipped: " + binary
                    + " is missing (install Debian's chromium and chromium-driver: apt-get install -y chromium chromium-driver)");
        }
    }

    /** Starts a headless Chromium on the console at {@code consoleUrl} (e.g. {@code http://127.0.0.1:8083/console/}). */
    public static ConsoleBrowser open(URI consoleUrl) {
        System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER.toString());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,1000", "--no-first-run", "--disable-extensions", "--disable-background-networking");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(PATIENCE).scriptTimeout(PATIENCE);
        ConsoleBrowser browser = new ConsoleBrowser(service, driver, consoleUrl);
        driver.get(consoleUrl.toString());
        return browser;
    }

    /** Types {@code token} into the token field (empty: none) and submits it, as an operator would. */
    public void useToken(String token) {
        WebElement field = driver.findElement(By.id("token"));
        field.clear();
        field.sendKeys(token);
        driver.findElement(By.cssSelector("#token-form button")).click();
    }

    /** Forgets the session's token and reloads the page. */
    public void forgetToken() {
        ((JavascriptExecutor) driver).executeScript("sessionStorage.clear()");
        driver.navigate().refresh();
    }

    /** Shows a view: {@code overview}, {@code workers}, {@code jobs} or {@code dead-letters}. */
    public void show(String view) {
        driver.findElement(By.cssSelector("header nav a[data-view='" + view + "']")).click();
        waitFor(d -> d.findElement(By.id("view-" + view)).isDisplayed());
    }

    /** The text of the element with {@code id} (read again if a refresh replaced the element meanwhile). */
    public String text(String id) {
        return read(d -> d.findElement(By.id(id)).getText());
    }

    /**
     * Reads the page, again if a refresh (every 2 s the views are rendered anew) replaced an element while it was
     * read.
     */
    public <T> T read(Function<WebDriver, T> reader) {
        return waitFor(d -> reader.apply(d));
    }

    public WebElement find(By by) {
        return driver.findElement(by);
    }

    public List<WebElement> findAll(By by) {
        return driver.findElements(by);
    }

    /**
     * Waits up to {@link #PATIENCE} until {@code condition} is true or non-null; an element replaced by a refresh
     * while it was read just makes it try again.
     */
    public <T> T waitFor(Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, PATIENCE, Duration.ofMillis(200))
                .ignoring(StaleElementReferenceException.class)
                .until(condition);
    }

    /** The browser's console messages since the last call. */
    public List<LogEntry> consoleMessages() {
        return driver.manage().logs().get(LogType.BROWSER).getAll();
    }

    /** Saves the window as {@code target/console-screenshots/<name>.png} and returns the file. */
    public Path screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(name + ".png");
            File shot = driver.getScreenshotAs(OutputType.FILE);
            Files.copy(shot.toPath(), file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public URI consoleUrl() {
        return console;
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
        }
    }
}
