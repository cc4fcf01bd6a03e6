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
            return new Response(200, TYPES.get(name.substring(name.lastIndexOf('.') + 1)), in.readAllBytes());
        }
    }
}
