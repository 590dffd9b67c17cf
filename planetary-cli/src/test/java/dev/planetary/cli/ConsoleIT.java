package dev.planetary.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Black-box test of the controller web console (docs/console.md) in a real headless Chromium, driven
 * through Selenium and the system's {@code chromedriver} (Debian {@code chromium}, {@code chromium-driver};
 * .ci/run installs them; nothing is downloaded at run time). A root, {@code planetary controller --api-tcp}
 * and one {@code planetary node --nic userspace} run as processes on loopback. In the browser: a wrong
 * token gets the login page back (and the API's 401); log in, create a network with a pool and a route,
 * the node joins and appears pending, one click authorizes it (the node's network goes OK, the row
 * shows the controller's path to it), a member name holding {@code <script>} stays text in the list
 * and the live view, one click deauthorizes it (the node's network goes ACCESS_DENIED). Screenshots
 * of each page at 1280×800 and 390×844 go to {@code target/console-screenshots/}.
 * {@code -Dplanetary.long=true} adds the first-render measure with 1,000 members (BENCHMARKS.md).
 */
class ConsoleIT extends BlackBoxTest {
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final String SCRIPT_NAME = "<script>window.pwned=1</script><b>x</b>";

    ChromeDriver browser;
    DaemonFixture.Daemon ctl;
    DaemonFixture.Daemon root;
    DaemonFixture.Daemon node;
    Path rootset;
    String base;
    String token;
    int width;
    final HttpClient http = HttpClient.newHttpClient();

    final long t0 = System.nanoTime();

    /** Prints the time since the test began at a step (where the time goes, in the IT's output). */
    void mark(String step) {
        System.out.printf("ConsoleIT %6.1f s  %s%n", (System.nanoTime() - t0) / 1e9, step);
    }

    @BeforeEach
    void start() throws Exception {
        assertTrue(Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(CHROMIUM),
                "the console tests need Debian's chromium and chromium-driver (apt-get install chromium chromium-driver; .ci/run does)");
        root = DaemonFixture.start(dir, "root", "root1");
        rootset = DaemonFixture.rootSet(dir, root);
        // the controller, the member and the browser start side by side
        PlanetaryProcess c = DaemonFixture.launch(List.of(), dir, "controller", "ctl", 0, "--rootset", rootset.toString(), "--api-tcp", "--api-port", "0");
        PlanetaryProcess n = DaemonFixture.launch(List.of(), dir, "node", "node1", 0, "--rootset", rootset.toString());
        browser = chromium();
        ctl = DaemonFixture.ready(c, dir.resolve("ctl"));
        node = DaemonFixture.ready(n, dir.resolve("node1"));
        mark("processes and browser up");
        base = "http://127.0.0.1:" + PlanetaryProcess.field(ctl.ready(), "apiPort");
        token = Files.readString(ctl.home().resolve("authtoken.secret")).strip();
        browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
        viewport(1280, 800);
    }

    private ChromeDriver chromium() {
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM.toFile());
        o.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,800",
                "--no-first-run", "--disable-extensions", "--disable-background-networking", "--user-data-dir=" + dir.resolve("chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        return new ChromeDriver(service, o);
    }

    /** The page's viewport exactly (a window size would include the browser's own frame). */
    private void viewport(int width, int height) {
        browser.executeCdpCommand("Emulation.setDeviceMetricsOverride", java.util.Map.of("width", width, "height", height,
                "deviceScaleFactor", 1, "mobile", false));
        this.width = width;
    }

    @AfterEach
    void stop() {
        if (browser != null) browser.quit();
    }

    @Test
    void logInCreateANetworkAuthorizeAJoiningNodeAndDeauthorizeIt() throws Exception {
        // a wrong token: the API answers 401, the console shows the login page again with that answer
        assertEquals(401, http.send(HttpRequest.newBuilder(URI.create(base + "/controller")).header("X-ZT1-Auth", "wrong").build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        browser.get(base + "/");
        assertTrue(browser.getCurrentUrl().endsWith("/console/"), browser.getCurrentUrl());
        shot("login");
        logIn("wrong-token");
        await(() -> text("login-error").contains("401"), "the login page names the API's 401");
        assertTrue(browser.findElement(By.id("login")).isDisplayed());
        assertEquals(null, session(), "a refused token is not kept");

        mark("wrong token refused");
        logIn(token);
        await(() -> exists("#create-form"), "the networks page");
        browser.findElement(By.id("new-name")).sendKeys("lab");
        browser.findElement(By.cssSelector("#create-form button")).click();
        await(() -> exists("#network-form"), "the new network's settings");
        String nwid = browser.getCurrentUrl().replaceAll(".*#/network/", "");
        assertTrue(nwid.matches(ctl.address() + "[0-9a-f]{6}"), nwid);
        browser.findElement(By.id("pools")).sendKeys("10.147.17.1-10.147.17.254");
        browser.findElement(By.id("routes")).sendKeys("10.147.17.0/24");
        browser.findElement(By.id("v4zt")).click();
        browser.findElement(By.cssSelector("#network-form button[type=submit]")).click();
        await(() -> text("status").startsWith("Saved"), "the network saved");
        assertTrue(ctl.get("/controller/network/" + nwid).path("routes").toString().contains("10.147.17.0/24"));
        shot("network");

        assertEquals(200, node.post("/network/" + nwid, "{}").status());
        go("#/network/" + nwid + "/members");
        String row = "tr[data-address='" + node.address() + "']";
        await(() -> cell(row, "state").startsWith("pending"), "the joining node listed as pending");
        mark("member pending");
        click(row + " button.auth");
        ControllerCliIT.awaitStatus(node, nwid, "OK", 30);
        await(() -> cell(row, "state").equals("authorized") && cell(row, "path").matches("(direct|relayed via " + root.address() + ").* ms"),
                "the member authorized, with the controller's path to it");
        long asked = ctl.get("/controller/network/" + nwid + "/member/" + node.address()).path("lastRequestTime").asLong();
        assertTrue(Math.abs(System.currentTimeMillis() - asked) < 120_000, "lastRequestTime is Unix ms: " + asked);
        assertTrue(cell(row, "seen").endsWith("s ago"), cell(row, "seen"));
        await(() -> browser.findElement(By.cssSelector(row + " input.ips")).getDomProperty("value").contains("10.147.17.1"), "its pool address");

        mark("authorized, path shown");
        WebElement name = browser.findElement(By.cssSelector(row + " input.name"));
        name.sendKeys(SCRIPT_NAME, Keys.TAB); // 'change' saves it through the API
        await(() -> SCRIPT_NAME.equals(ctl.get("/controller/network/" + nwid + "/member/" + node.address()).path("name").asText()), "the name saved");
        await(() -> SCRIPT_NAME.equals(browser.findElement(By.cssSelector(row + " input.name")).getDomProperty("value")), "the name shown as typed");
        shot("members");

        mark("name saved");
        go("#/network/" + nwid + "/live");
        String dot = "#live g[data-id='" + node.address() + "']";
        await(() -> exists(dot) && browser.findElement(By.cssSelector(dot)).getDomAttribute("class").contains("member on"), "the member in the live view");
        assertEquals(SCRIPT_NAME, browser.findElement(By.cssSelector(dot + " text")).getDomProperty("textContent"));
        await(() -> browser.findElements(By.cssSelector("#live line.edge")).size() >= 2, "paths to the root and the member");
        assertTrue(exists("#live g.root"), "the root is marked");
        Thread.sleep(1500); // the layout settles (the screenshot only)
        shot("live");

        mark("live view");
        go("#/network/" + nwid + "/rules");
        await(() -> exists("#rules-json"), "the rules page");
        saveRules("[{\"type\": \"ACTION_ACCEPT\"}, {\"type\": \"MATCH_FROBNICATE\"}]");
        await(() -> text("status").startsWith("Rules saved") || !text("rules-error").isEmpty(), "an answer to a bad rule");
        if (!ctl.get("/controller/network/" + nwid).path("rules").toString().contains("FROBNICATE")) { // a controller that checks rules (400 naming rules[1])
            assertTrue(text("rules-error").startsWith("Rule 1: "), text("rules-error"));
            assertEquals("true", browser.findElement(By.id("rule-1")).getDomAttribute("aria-invalid"));
        }
        saveRules("[{\"type\": \"ACTION_ACCEPT\"}]");
        await(() -> text("status").startsWith("Rules saved"), "the rules saved");
        assertEquals("ACTION_ACCEPT", ctl.get("/controller/network/" + nwid).path("rules").path(0).path("type").asText());
        shot("rules");

        mark("rules");
        go("#/network/" + nwid + "/members");
        await(() -> cell(row, "state").equals("authorized"), "the members page again");
        String other = node.address().charAt(0) == '0' ? "1" : "0";
        browser.findElement(By.id("find-address")).sendKeys(other);
        await(() -> text("members-summary").startsWith("No member address starts with " + other), "the address filter");
        assertTrue(browser.getCurrentUrl().endsWith("/members/0/" + other), browser.getCurrentUrl());
        browser.findElement(By.id("find-address")).sendKeys(Keys.BACK_SPACE, node.address().substring(0, 3));
        await(() -> exists(row), "the member found by its first digits");
        click(row + " button.auth");
        await(() -> !cell(row, "state").equals("authorized"), "the member deauthorized");
        ControllerCliIT.awaitStatus(node, nwid, "ACCESS_DENIED", 30); // its config is revoked: no more traffic on the network
        mark("deauthorized");
        go("#/networks");
        await(() -> exists("#networks tr[data-nwid='" + nwid + "']"), "the network listed");
        shot("networks");

        assertEquals(Boolean.FALSE, script("return 'pwned' in window && window.pwned === 1;"), "a member's name ran as script");
        assertEquals(0L, script("return document.querySelectorAll('#page script, #page b').length;"));
        assertEquals(null, browser.getCurrentUrl().contains(token) ? "token in URL" : null);

        // the narrow window: the same pages at 390×844
        mark("wide screenshots");
        viewport(390, 844);
        for (String[] p : new String[][] {{"networks", "#/networks"}, {"network", "#/network/" + nwid}, {"members", "#/network/" + nwid + "/members"},
                {"rules", "#/network/" + nwid + "/rules"}, {"live", "#/network/" + nwid + "/live"}}) {
            go(p[1]);
            await(() -> exists("#page h1"), p[0]);
            Thread.sleep(p[0].equals("live") ? 1000 : 200);
            shot(p[0]);
        }
        browser.findElement(By.id("logout")).click();
        shot("login");
        mark("narrow screenshots");
    }

    /**
     * The first render of a members page with 1,000 members (seeded through the API): from navigation
     * start to a full first page of rows, as the page's own clock sees it. Prints the figures.
     */
    @Test
    @org.junit.jupiter.api.condition.EnabledIfSystemProperty(named = "planetary.long", matches = "true", disabledReason = "a measure: -Dplanetary.long=true")
    void firstRenderWithAThousandMembers() throws Exception {
        String nwid = DaemonFixture.JSON.readTree(api("POST", "/controller/network", "{\"name\":\"big\"}")).path("id").asText();
        for (int i = 0; i < 1000; i++) {
            api("POST", "/controller/network/" + nwid + "/member/" + String.format("%010x", 0x1000000000L + i),
                    "{\"authorized\": " + (i % 2 == 0) + ", \"name\": \"m" + i + "\"}");
        }
        browser.get(base + "/console/");
        script("sessionStorage.setItem('planetary.token', arguments[0]);", token);
        List<Double> ms = new ArrayList<>();
        for (int run = 0; run < 7; run++) {
            browser.get("about:blank");
            browser.get(base + "/console/#/network/" + nwid + "/members");
            Object t = browser.executeAsyncScript("const done = arguments[0];"
                    + "(function f() { if (document.querySelectorAll('#members tbody tr').length === 25) done(performance.now());"
                    + " else requestAnimationFrame(f); })();");
            ms.add(((Number) t).doubleValue());
        }
        List<Double> sorted = new ArrayList<>(ms);
        sorted.sort(null);
        System.out.printf("console first render, 1000 members, 25 rows: median %.0f ms, runs %s%n", sorted.get(sorted.size() / 2), ms);
        // the live view draws the first 300 of them: the time to the first picture, then the cost of the layout's steps
        browser.get("about:blank");
        browser.get(base + "/console/#/network/" + nwid + "/live");
        Object drawn = browser.executeAsyncScript("const done = arguments[0];"
                + "(function f() { if (document.querySelectorAll('#live g.member').length === 300) done(performance.now());"
                + " else requestAnimationFrame(f); })();");
        Thread.sleep(5000); // the layout runs until it settles (≈ 300 steps)
        System.out.printf("console live view, 300 of 1000 members drawn: first picture %.0f ms; layout %s%n", ((Number) drawn).doubleValue(),
                browser.findElement(By.id("live")).getDomAttribute("data-steps"));
    }

    private String api(String method, String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).header("X-ZT1-Auth", token)
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    /** Clicks the element {@code css} names, again if the page re-rendered it between finding and clicking. */
    private void click(String css) throws Exception {
        await(() -> {
            browser.findElement(By.cssSelector(css)).click();
            return true;
        }, "a click on " + css);
    }

    private void saveRules(String json) {
        script("document.getElementById('status').textContent = '';");
        WebElement rules = browser.findElement(By.id("rules-json"));
        rules.clear();
        rules.sendKeys(json);
        browser.findElement(By.cssSelector("#rules-form button[type=submit]")).click();
    }

    private void logIn(String t) {
        WebElement in = browser.findElement(By.id("token"));
        in.clear();
        in.sendKeys(t, Keys.ENTER);
    }

    private Object session() {
        return script("return sessionStorage.getItem('planetary.token');");
    }

    private Object script(String js, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(js, args);
    }

    private void go(String hash) {
        script("location.hash = arguments[0];", hash);
    }

    private boolean exists(String css) {
        return !browser.findElements(By.cssSelector(css)).isEmpty();
    }

    private String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    private String cell(String row, String cls) {
        List<WebElement> e = browser.findElements(By.cssSelector(row + " td." + cls));
        return e.isEmpty() ? "" : e.get(0).getText();
    }

    private void shot(String page) throws Exception {
        script("if (document.activeElement) document.activeElement.blur(); window.scrollTo(0, 0);");
        Path out = Path.of("target", "console-screenshots", page + "-" + width + ".png");
        Files.createDirectories(out.getParent());
        Files.write(out, browser.getScreenshotAs(OutputType.BYTES));
    }

    interface Check {
        boolean ok() throws Exception;
    }

    /** Polls {@code check} (bounded, 30 s) through stale elements and re-renders; fails naming {@code what}. */
    private void await(Check check, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (check.ok()) return;
            } catch (WebDriverException e) {
                last = e; // a row re-rendered under us
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not within 30 s: " + what + " (page: " + script("return document.getElementById('main').innerText;")
                + ", status: " + text("status") + ")" + (last == null ? "" : " last: " + last.getMessage()) + "\n" + ctl.process().dump());
    }
}
