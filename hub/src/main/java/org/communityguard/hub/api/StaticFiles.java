package org.communityguard.hub.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The console's files, served from the hub's own jar (no CDN: a community network may have no
 * internet). Only plain file names under {@code /console/} exist, so no path can escape it.
 */
public final class StaticFiles {

    private static final Pattern NAME = Pattern.compile("[a-z0-9-]+\\.(html|js|css|svg)");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml");

    /**
     * The console page may load only its own files and talk only to its own hub: no inline script,
     * no other origin, not framed (clickjacking). Inline style attributes are not used either.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self';"
            + " img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    public Response index(Request req) throws IOException {
        return file("index.html");
    }

    public Response get(Request req) throws IOException {
        return file(req.pathParams().get("file"));
    }

    private Response file(String name) throws IOException {
        if (!NAME.matcher(name).matches()) {
            throw HttpError.notFound("no such file: " + name);
        }
        try (InputStream in = StaticFiles.class.getResourceAsStream("/console/" + name)) {
            if (in == null) {
                throw HttpError.notFound("no such file: " + name);
            }
            Response r = new Response(200, TYPES.get(name.substring(name.lastIndexOf('.') + 1)), in.readAllBytes());
            return name.endsWith(".html")
                    ? r.withHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY).withHeader("X-Frame-Options", "DENY")
                            .withHeader("Referrer-Policy", "no-referrer")
                    : r;
        }
    }
}
