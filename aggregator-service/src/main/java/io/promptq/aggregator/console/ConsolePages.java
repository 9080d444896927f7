package io.promptq.aggregator.console;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.promptq.http.Problem;
import io.promptq.http.ProblemException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * Serves the console's pages at {@code /console/} from a fixed list of class-path files, read once at start (so a
 * request never touches the disk and no path can reach another resource). Every answer carries a strict
 * Content-Security-Policy (only this origin; no inline script or style), {@code X-Content-Type-Options: nosniff},
 * and an ETag with {@code Cache-Control: no-cache}: browsers keep the files but revalidate them, so a new version
 * shows at the next load.
 */
public final class ConsolePages {

    /** Where the console is served. */
    public static final String PATH = "/console/";
    /** The policy sent with every page: scripts, styles and API calls from this origin only. */
    public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static final String RESOURCE_DIR = "/io/promptq/aggregator/console/";
    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "console.js", "text/javascript; charset=utf-8",
            "console.css", "text/css; charset=utf-8",
            "favicon.svg", "image/svg+xml");

    private final Map<String, Page> pages;

    private record Page(byte[] body, String contentType, String etag) {}

    private ConsolePages(Map<String, Page> pages) {
        this.pages = pages;
    }

    /** Reads the console's files from the class path. */
    public static ConsolePages load() {
        Map<String, Page> pages = new HashMap<>();
        FILES.forEach((name, type) -> {
            byte[] body = read(name);
            pages.put(name, new Page(body, type, etag(body)));
        });
        return new ConsolePages(Map.copyOf(pages));
    }

    /** Adds {@code GET /console} (a redirect), {@code GET /console/} and {@code GET /console/<file>} to {@code app}. */
    public void register(Javalin app) {
        app.get(PATH, ctx -> {
            if (ctx.path().endsWith("/")) {
                serve(ctx, "index.html");
            } else {
                ctx.redirect(PATH); // the pages' relative links need the trailing slash
            }
        });
        app.get(PATH + "{file}", ctx -> serve(ctx, ctx.pathParam("file")));
    }

    private void serve(Context ctx, String name) {
        Page page = pages.get(name);
        if (page == null) {
            throw new ProblemException(Problem.of(404, "Not Found", "no console file " + name));
        }
        ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Cache-Control", "no-cache");
        ctx.header("ETag", page.etag());
        if (page.etag().equals(ctx.header("If-None-Match"))) {
            ctx.status(304);
            return;
        }
        ctx.contentType(page.contentType()).result(page.body());
    }

    private static byte[] read(String name) {
        try (InputStream in = ConsolePages.class.getResourceAsStream(RESOURCE_DIR + name)) {
            if (in == null) {
                throw new IllegalStateException("console file " + RESOURCE_DIR + name + " is missing from the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read console file " + name, e);
        }
    }

    private static String etag(byte[] body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
            return "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
