package org.communityguard.hub.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;

/**
 * {@code GET /api/docs/}: an API explorer (Swagger UI) on {@code /api/openapi.json}, served from
 * the swagger-ui webjar in the hub's jar (no CDN: a community network may have no internet). Only
 * the files the page loads exist; the webjar's initializer is replaced by the hub's own
 * ({@code api/docs/swagger-initializer.js}), which points at this hub's document.
 */
public final class ApiDocs {

    private static final String WEBJAR_PROPERTIES = "/META-INF/maven/org.webjars/swagger-ui/pom.properties";
    private static final String INITIALIZER = "swagger-initializer.js";
    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "index.css", "text/css; charset=utf-8",
            "swagger-ui.css", "text/css; charset=utf-8",
            "swagger-ui-bundle.js", "text/javascript; charset=utf-8",
            "swagger-ui-standalone-preset.js", "text/javascript; charset=utf-8",
            "favicon-16x16.png", "image/png",
            "favicon-32x32.png", "image/png",
            INITIALIZER, "text/javascript; charset=utf-8");

    /**
     * Like the console's (StaticFiles), but Swagger UI sets style attributes, so inline styles
     * are allowed; scripts still only from the hub.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
            + " img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private final String webjarRoot;

    /** Finds the webjar's version once, at start: a hub packaged without it does not start. */
    public ApiDocs() {
        try (InputStream in = ApiDocs.class.getResourceAsStream(WEBJAR_PROPERTIES)) {
            if (in == null) {
                throw new IllegalStateException("the swagger-ui webjar is missing from the hub's classpath");
            }
            Properties p = new Properties();
            p.load(in);
            webjarRoot = "/META-INF/resources/webjars/swagger-ui/" + p.getProperty("version") + "/";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + WEBJAR_PROPERTIES, e);
        }
    }

    /** The page; its files are named relative to it, so {@code /api/docs} first gets its slash. */
    public Response index(Request req) throws IOException {
        if (!req.path().endsWith("/")) {
            return new Response(308, "text/plain; charset=utf-8", new byte[0]).withHeader("Location", "/api/docs/");
        }
        return file("index.html");
    }

    public Response get(Request req) throws IOException {
        return file(req.pathParams().get("file"));
    }

    private Response file(String name) throws IOException {
        String type = FILES.get(name);
        if (type == null) {
            throw HttpError.notFound("no such file: " + name);
        }
        String resource = name.equals(INITIALIZER) ? "/api/docs/" + INITIALIZER : webjarRoot + name;
        try (InputStream in = ApiDocs.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw HttpError.notFound("no such file: " + name);
            }
            Response r = new Response(200, type, in.readAllBytes());
            return name.endsWith(".html")
                    ? r.withHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY).withHeader("X-Frame-Options", "DENY")
                            .withHeader("Referrer-Policy", "no-referrer")
                    : r;
        }
    }
}
