package org.communityguard.hub.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.communityguard.hub.incident.threshold.Threshold;
import org.communityguard.hub.incident.threshold.ThresholdSet;
import org.communityguard.hub.incident.threshold.Thresholds;

/**
 * A community's detection thresholds (docs/incidents.md), for the console's configuration page.
 *
 * <p>{@code GET /api/communities/{id}/thresholds}: every threshold with its value, default, unit,
 * allowed range and meaning, and who changed it last.
 *
 * <p>{@code PUT /api/communities/{id}/thresholds} with
 * {@code {"thresholds": [{"scope": "manhole", "key": "flood_level_cm", "value": 25}, ...]}} changes the
 * listed thresholds (a null value goes back to the default) and leaves the others alone. All or
 * nothing: any problem answers 400 naming every one, and nothing changes. Takes effect on this
 * hub at once, on other hub instances within {@code incident.liveness-interval}.
 */
public final class ThresholdApi {

    static final int MAX_CHANGES = 100;

    private final Thresholds thresholds;

    public ThresholdApi(Thresholds thresholds) {
        this.thresholds = thresholds;
    }

    public Response get(Request req) throws Exception {
        String community = req.pathParams().get("id");
        if (!thresholds.communityExists(community)) {
            throw HttpError.notFound("no community '" + community + "'");
        }
        return Response.json(200, req.json().writeValueAsBytes(describe(community)));
    }

    public Response put(Request req) throws Exception {
        String community = req.pathParams().get("id");
        JsonNode list = req.jsonBody().path("thresholds");
        if (!list.isArray() || list.isEmpty()) {
            throw HttpError.badRequest("'thresholds' must be a non-empty array of {\"scope\", \"key\", \"value\"}");
        }
        if (list.size() > MAX_CHANGES) {
            throw HttpError.badRequest("at most " + MAX_CHANGES + " thresholds in one change");
        }
        Map<Threshold, Double> changes = new EnumMap<>(Threshold.class);
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode entry = list.get(i);
            String where = "thresholds[" + i + "]";
            if (!entry.isObject() || !entry.path("scope").isTextual() || !entry.path("key").isTextual()
                    || !entry.has("value")) {
                problems.add(where + ": needs \"scope\", \"key\" and \"value\"");
                continue;
            }
            String scope = entry.path("scope").asText();
            String key = entry.path("key").asText();
            Optional<Threshold> t = Threshold.find(scope, key);
            if (t.isEmpty()) {
                problems.add(where + ": no threshold " + abbreviate(scope) + "." + abbreviate(key)
                        + " (GET this resource lists them)");
                continue;
            }
            if (changes.containsKey(t.get())) {
                problems.add(where + ": " + scope + "." + key + " is listed twice");
                continue;
            }
            JsonNode value = entry.path("value");
            if (value.isNull()) {
                changes.put(t.get(), null);
            } else if (!value.isNumber()) {
                problems.add(where + ": " + scope + "." + key + ": value must be a number, or null for the default");
            } else {
                List<String> wrong = ThresholdSet.checkValue(t.get(), value.doubleValue());
                if (wrong.isEmpty()) {
                    changes.put(t.get(), value.doubleValue());
                } else {
                    problems.addAll(wrong);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw HttpError.badRequest(String.join("; ", problems));
        }
        boolean exists;
        try {
            exists = thresholds.update(community, changes, req.principal().username());
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest(e.getMessage());
        }
        if (!exists) {
            throw HttpError.notFound("no community '" + community + "'");
        }
        return Response.json(200, req.json().writeValueAsBytes(describe(community)));
    }

    private Map<String, Object> describe(String community) throws Exception {
        Map<Threshold, Thresholds.Override> overrides = new EnumMap<>(Threshold.class);
        for (Thresholds.Override o : thresholds.overrides(community)) {
            overrides.put(o.threshold(), o);
        }
        List<Map<String, Object>> list = new ArrayList<>();
        for (String scope : Threshold.SCOPES) {
            for (Threshold t : Threshold.values()) {
                if (!t.scope().equals(scope)) {
                    continue;
                }
                Thresholds.Override o = overrides.get(t);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("scope", t.scope());
                m.put("key", t.key());
                m.put("value", number(o == null ? t.defaultValue() : o.value()));
                m.put("default", number(t.defaultValue()));
                m.put("unit", t.unit());
                m.put("min", number(t.min()));
                m.put("max", number(t.max()));
                m.put("description", t.description());
                t.clears().ifPresent(b -> m.put("must_be", (b.clearAbove() ? "above " : "below ") + b.raise().key()));
                m.put("overridden", o != null);
                m.put("updated_at", o == null ? null : o.updatedAt().toString());
                m.put("updated_by", o == null ? null : o.updatedBy());
                list.add(m);
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("community_id", community);
        body.put("thresholds", list);
        return body;
    }

    private static Object number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? (Object) (long) v : (Object) v;
    }

    private static String abbreviate(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }
}
