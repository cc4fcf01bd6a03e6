package org.communityguard.hub.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.multipart.Attribute;
import io.netty.handler.codec.http.multipart.DefaultHttpDataFactory;
import io.netty.handler.codec.http.multipart.FileUpload;
import io.netty.handler.codec.http.multipart.HttpPostRequestDecoder;
import io.netty.handler.codec.http.multipart.InterfaceHttpData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.communityguard.hub.api.HttpError;
import org.communityguard.hub.api.Request;

/**
 * A report's fields, from a JSON body (no photo) or from {@code multipart/form-data} with the
 * same fields as form fields plus an optional file part {@code photo}. The file part's name
 * and declared type are ignored: {@link Photo} checks the bytes.
 */
record ReportForm(Map<String, String> fields, Photo photo) {

    static ReportForm parse(Request req) {
        String type = req.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
        if (!type.toLowerCase().startsWith("multipart/form-data")) {
            JsonNode body = req.jsonBody();
            Map<String, String> fields = new HashMap<>();
            for (var e : body.properties()) {
                if (e.getValue().isValueNode() && !e.getValue().isNull()) {
                    fields.put(e.getKey(), e.getValue().asText());
                }
            }
            if (body.has("photo")) {
                throw HttpError.badRequest("send a photo as multipart/form-data (file part 'photo'), not in JSON");
            }
            return new ReportForm(fields, null);
        }
        var request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, req.method(), req.path(),
                Unpooled.wrappedBuffer(req.body()), req.headers(), EmptyHttpHeaders.INSTANCE);
        // In memory: the body is already in memory and bounded by the HTTP aggregator.
        HttpPostRequestDecoder decoder;
        try {
            decoder = new HttpPostRequestDecoder(new DefaultHttpDataFactory(false, StandardCharsets.UTF_8), request);
        } catch (HttpPostRequestDecoder.ErrorDataDecoderException e) {
            throw HttpError.badRequest("malformed multipart/form-data body");
        }
        try {
            Map<String, String> fields = new HashMap<>();
            Photo photo = null;
            for (InterfaceHttpData part : decoder.getBodyHttpDatas()) {
                if (part instanceof FileUpload file) {
                    if (!file.getName().equals("photo")) {
                        throw HttpError.badRequest("unexpected file part '" + file.getName() + "'; only 'photo'");
                    }
                    if (photo != null) {
                        throw HttpError.badRequest("one photo per report");
                    }
                    photo = Photo.of(file.get());
                } else if (part instanceof Attribute attribute) {
                    fields.put(attribute.getName(), attribute.getValue());
                }
            }
            return new ReportForm(fields, photo);
        } catch (HttpPostRequestDecoder.ErrorDataDecoderException | IOException e) {
            throw HttpError.badRequest("malformed multipart/form-data body");
        } finally {
            decoder.destroy();
        }
    }

    String required(String name, int maxLength) {
        String v = optional(name, maxLength);
        if (v == null) {
            throw HttpError.badRequest("'" + name + "' is required");
        }
        return v;
    }

    String optional(String name, int maxLength) {
        String v = fields.get(name);
        if (v == null || v.isBlank()) {
            return null;
        }
        if (v.length() > maxLength) {
            throw HttpError.badRequest("'" + name + "' is longer than " + maxLength + " characters");
        }
        return v.trim();
    }
}
