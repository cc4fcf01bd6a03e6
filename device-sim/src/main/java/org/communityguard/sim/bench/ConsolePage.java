package org.communityguard.sim.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads the console's board the way a browser does, over HTTP with the session cookie: the page,
 * then its stylesheet and script, then every ES module those import (each level in parallel, as
 * a browser fetches them), then who is signed in, then the board snapshot. Every body is read
 * whole. The time of all that is the board's load time as the network sees it; the browser's own
 * rendering of a few hundred rows is not in it.
 */
final class ConsolePage {

    private static final Pattern ASSET = Pattern.compile("(?:href|src)=\"(/console/[a-z0-9-]+\\.(?:css|js|svg))\"");
    private static final Pattern IMPORT = Pattern.compile("from '\\./([a-z0-9-]+\\.js)'");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final String base;
    private final String cookie;

    ConsolePage(HttpClient http, String base, String cookie) {
        this.http = http;
        this.base = base;
        this.cookie = cookie;
    }

    /** What one load fetched. */
    record Load(int requests, long bytes, int openIncidents) {
    }

    Load load() throws Exception {
        int requests = 0;
        long bytes = 0;
        String index = get("/");
        requests++;
        bytes += index.length();
        Set<String> seen = new LinkedHashSet<>();
        List<String> level = new ArrayList<>();
        Matcher m = ASSET.matcher(index);
        while (m.find()) {
            level.add(m.group(1));
        }
        while (!level.isEmpty()) {
            seen.addAll(level);
            List<CompletableFuture<HttpResponse<String>>> fetches = new ArrayList<>();
            for (String path : level) {
                fetches.add(http.sendAsync(request(path), HttpResponse.BodyHandlers.ofString()));
            }
            List<String> next = new ArrayList<>();
            for (CompletableFuture<HttpResponse<String>> f : fetches) {
                HttpResponse<String> r = f.get();
                check(r);
                requests++;
                bytes += r.body().length();
                Matcher imports = IMPORT.matcher(r.body());
                while (imports.find()) {
                    String path = "/console/" + imports.group(1);
                    if (!seen.contains(path) && !next.contains(path)) {
                        next.add(path);
                    }
                }
            }
            level = next;
        }
        String session = get("/api/auth/session");
        String board = get("/api/board");
        requests += 2;
        bytes += session.length() + board.length();
        return new Load(requests, bytes, JSON.readTree(board).path("open").size());
    }

    String get(String path) throws Exception {
        HttpResponse<String> r = http.send(request(path), HttpResponse.BodyHandlers.ofString());
        check(r);
        return r.body();
    }

    private HttpRequest request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).header("Cookie", cookie).GET().build();
    }

    private static void check(HttpResponse<String> r) {
        if (r.statusCode() != 200) {
            throw new IllegalStateException(r.request().uri() + " answered " + r.statusCode() + ": " + r.body());
        }
    }
}
